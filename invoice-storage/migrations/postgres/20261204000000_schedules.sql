-- Recurring invoice schedules. The body is the schedule as JSON; status and version are
-- columns for the guards; last_period is how far generation went (kept out of the body,
-- written only by generation); due_at is when the next occurrence falls due (NULL when
-- the schedule is not active or has none left), so that generators read only what is
-- due.
CREATE TABLE schedules (
    id          UUID PRIMARY KEY,
    tenant      TEXT NOT NULL,
    status      TEXT NOT NULL,
    version     BIGINT NOT NULL,
    last_period BIGINT,
    due_at      TIMESTAMPTZ,
    body        JSONB NOT NULL
);

CREATE INDEX schedules_tenant_id ON schedules (tenant, id);
CREATE INDEX schedules_due_at ON schedules (due_at, id) WHERE due_at IS NOT NULL;

-- One row per generated period: the primary key is what makes a period's invoice once.
-- No foreign key to the invoice: a person may delete the generated draft, and the
-- period must stay generated.
CREATE TABLE schedule_runs (
    schedule_id UUID NOT NULL REFERENCES schedules (id),
    period      BIGINT NOT NULL,
    invoice_id  UUID NOT NULL,
    PRIMARY KEY (schedule_id, period)
);
