-- Invoices, number series, outbox, inbox and clients for the SQLite adapter.
-- Each row keeps its aggregate as JSON text (`body`, the serde form of the domain type);
-- the other columns are copies used to filter, sort and check versions. Ids are UUIDs as
-- lower-case hyphenated text; dates are days from 0001-01-01 (CE day 1) and times are
-- microseconds since the Unix epoch, so that they compare as integers.

CREATE TABLE invoices (
    -- Insertion order: newest/oldest-first sorts and keyset cursors.
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    tenant         TEXT NOT NULL,
    status         TEXT NOT NULL,
    client_id      TEXT,
    number         TEXT,
    buyer_name     TEXT NOT NULL,
    -- Lower-cased (Unicode) copies of number and buyer name for the text filter.
    number_folded  TEXT,
    buyer_folded   TEXT NOT NULL,
    issue_date     INTEGER,
    due_date       INTEGER,
    -- The due-date sort key: due_date, or i64::MAX without one.
    due_key        INTEGER NOT NULL,
    version        INTEGER NOT NULL,
    body           TEXT NOT NULL
) STRICT;

CREATE INDEX invoices_tenant_seq ON invoices (tenant, seq);
CREATE INDEX invoices_tenant_status_seq ON invoices (tenant, status, seq);
CREATE INDEX invoices_tenant_client_seq ON invoices (tenant, client_id, seq) WHERE client_id IS NOT NULL;
CREATE INDEX invoices_tenant_due_key_seq ON invoices (tenant, due_key, seq);
CREATE INDEX invoices_tenant_issue_date ON invoices (tenant, issue_date) WHERE issue_date IS NOT NULL;

CREATE TABLE number_series (
    tenant      TEXT NOT NULL,
    series_key  TEXT NOT NULL,
    last_seq    INTEGER NOT NULL,
    PRIMARY KEY (tenant, series_key)
) STRICT;

CREATE TABLE outbox (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id      TEXT NOT NULL UNIQUE,
    tenant        TEXT NOT NULL,
    invoice_id    TEXT NOT NULL,
    -- The `EventEnvelope` as JSON.
    payload       TEXT NOT NULL,
    published_at  INTEGER,
    leased_until  INTEGER,
    attempts      INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX outbox_unpublished_seq ON outbox (seq) WHERE published_at IS NULL;

CREATE TABLE inbox (
    consumer      TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    processed_at  INTEGER NOT NULL,
    PRIMARY KEY (consumer, event_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE clients (
    id           TEXT PRIMARY KEY,
    tenant       TEXT NOT NULL,
    name         TEXT NOT NULL,
    name_folded  TEXT NOT NULL,
    version      INTEGER NOT NULL,
    body         TEXT NOT NULL
) STRICT;

CREATE INDEX clients_tenant_name ON clients (tenant, name, id);
