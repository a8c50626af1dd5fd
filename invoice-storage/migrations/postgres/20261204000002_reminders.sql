-- Reminders people schedule. The body is the reminder as JSON; status, version and the
-- due instant are columns for the guards, listings and claims; claimed_until is the end
-- of the lease of the scheduler that claimed it (NULL when no one holds it).
CREATE TABLE reminders (
    id            UUID PRIMARY KEY,
    tenant        TEXT NOT NULL,
    status        TEXT NOT NULL,
    version       BIGINT NOT NULL,
    due_at        TIMESTAMPTZ NOT NULL,
    claimed_until TIMESTAMPTZ,
    body          JSONB NOT NULL
);

CREATE INDEX reminders_tenant_due ON reminders (tenant, due_at, id);
CREATE INDEX reminders_scheduled_due ON reminders (due_at, id) WHERE status = 'scheduled';
