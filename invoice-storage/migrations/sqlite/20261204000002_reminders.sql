-- Reminders people schedule. The body is the reminder as JSON; status, version and the
-- due instant are columns for the guards, listings and claims; claimed_until is the end
-- of the lease of the scheduler that claimed it (NULL when no one holds it). Times are
-- microseconds since the Unix epoch.
CREATE TABLE reminders (
    id            TEXT PRIMARY KEY,
    tenant        TEXT NOT NULL,
    status        TEXT NOT NULL,
    version       INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,
    claimed_until INTEGER,
    body          TEXT NOT NULL
) STRICT;

CREATE INDEX reminders_tenant_due ON reminders (tenant, due_at, id);
CREATE INDEX reminders_scheduled_due ON reminders (due_at, id) WHERE status = 'scheduled';
