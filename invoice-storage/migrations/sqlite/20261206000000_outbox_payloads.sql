-- Each outbox event's JSON moves to a table of its own, written once when the event is
-- appended and read by claims and histories. Claiming an event and marking it published
-- update its `outbox` row, and SQLite rewrites a whole record when it grows (a NULL
-- lease or publication time becoming a number): with the payload inline, each of those
-- two updates wrote the event, which carries the whole invoice, twice more.
CREATE TABLE outbox_payloads (
    -- The event's `outbox.seq`.
    seq      INTEGER PRIMARY KEY,
    -- The `EventEnvelope` as JSON.
    payload  TEXT NOT NULL
) STRICT;

INSERT INTO outbox_payloads (seq, payload) SELECT seq, payload FROM outbox;

ALTER TABLE outbox DROP COLUMN payload;
