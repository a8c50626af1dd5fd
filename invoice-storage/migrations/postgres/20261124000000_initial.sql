-- Invoices, number series, outbox, inbox and clients for the PostgreSQL adapter.
-- Each row keeps its aggregate as JSONB (`body`, the serde form of the domain type);
-- the other columns are copies used to filter, sort and check versions.

CREATE TABLE invoices (
    id             UUID PRIMARY KEY,
    -- Insertion order: newest/oldest-first sorts and keyset cursors.
    seq            BIGINT GENERATED ALWAYS AS IDENTITY,
    tenant         TEXT NOT NULL,
    status         TEXT NOT NULL,
    client_id      UUID,
    number         TEXT,
    buyer_name     TEXT NOT NULL,
    -- Lower-cased (Unicode) copies of number and buyer name for the text filter.
    number_folded  TEXT,
    buyer_folded   TEXT NOT NULL,
    issue_date     DATE,
    due_date       DATE,
    -- The due-date sort key: days from 0001-01-01 (CE day 1), or i64::MAX without a due
    -- date, so that (due_key, seq) orders and pages without NULL cases.
    due_key        BIGINT NOT NULL,
    version        BIGINT NOT NULL,
    body           JSONB NOT NULL
);

-- Listing is always per tenant, newest first by default: one index per filter that can
-- be answered in sort order, with seq last so that `LIMIT` stops early.
CREATE UNIQUE INDEX invoices_tenant_seq ON invoices (tenant, seq);
CREATE INDEX invoices_tenant_status_seq ON invoices (tenant, status, seq);
CREATE INDEX invoices_tenant_client_seq ON invoices (tenant, client_id, seq) WHERE client_id IS NOT NULL;
CREATE INDEX invoices_tenant_due_key_seq ON invoices (tenant, due_key, seq);
CREATE INDEX invoices_tenant_issue_date ON invoices (tenant, issue_date) WHERE issue_date IS NOT NULL;

-- The last number handed out per tenant and series (format, plus year when it resets).
CREATE TABLE number_series (
    tenant      TEXT NOT NULL,
    series_key  TEXT NOT NULL,
    last_seq    BIGINT NOT NULL,
    PRIMARY KEY (tenant, series_key)
);

CREATE TABLE outbox (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id      UUID NOT NULL CONSTRAINT outbox_event_id_key UNIQUE,
    tenant        TEXT NOT NULL,
    invoice_id    UUID NOT NULL,
    -- The `EventEnvelope` as JSON.
    payload       JSONB NOT NULL,
    published_at  TIMESTAMPTZ,
    leased_until  TIMESTAMPTZ,
    attempts      INTEGER NOT NULL DEFAULT 0
);

-- Relays read the unpublished rows in order; published ones drop out of the index.
CREATE INDEX outbox_unpublished_seq ON outbox (seq) WHERE published_at IS NULL;

CREATE TABLE inbox (
    consumer      TEXT NOT NULL,
    event_id      UUID NOT NULL,
    processed_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (consumer, event_id)
);

CREATE TABLE clients (
    id           UUID PRIMARY KEY,
    tenant       TEXT NOT NULL,
    name         TEXT NOT NULL,
    name_folded  TEXT NOT NULL,
    version      BIGINT NOT NULL,
    body         JSONB NOT NULL
);

-- Clients list by name in byte order (as the in-memory adapter), whatever the locale.
CREATE INDEX clients_tenant_name ON clients (tenant, name COLLATE "C", id);
