-- Recurring invoice schedules. The body is the schedule as JSON; status and version are
-- columns for the guards; last_period is how far generation went (kept out of the body,
-- written only by generation); due_at (microseconds since the Unix epoch) is when the
-- next occurrence falls due, NULL when the schedule is not active or has none left.
CREATE TABLE schedules (
    id          TEXT PRIMARY KEY,
    tenant      TEXT NOT NULL,
    status      TEXT NOT NULL,
    version     INTEGER NOT NULL,
    last_period INTEGER,
    due_at      INTEGER,
    body        TEXT NOT NULL
) STRICT;

CREATE INDEX schedules_tenant_id ON schedules (tenant, id);
CREATE INDEX schedules_due_at ON schedules (due_at, id) WHERE due_at IS NOT NULL;

-- One row per generated period: the primary key is what makes a period's invoice once.
-- No foreign key to the invoice: a person may delete the generated draft, and the
-- period must stay generated.
CREATE TABLE schedule_runs (
    schedule_id TEXT NOT NULL REFERENCES schedules (id),
    period      INTEGER NOT NULL,
    invoice_id  TEXT NOT NULL,
    PRIMARY KEY (schedule_id, period)
) STRICT;
