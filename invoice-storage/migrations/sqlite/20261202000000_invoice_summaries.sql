-- What a listing shows, as columns beside the body, so that a page decodes no body:
-- the kind, the seller's name, the currency, the EN 16931 totals (BT-109, BT-110,
-- BT-112) and what is still due as decimal text, and the time of the last change
-- (microseconds since the Unix epoch). Rows written before this migration are filled by
-- the store's migration step, which reads their bodies.
--
-- The table is rebuilt rather than altered so that the body stays the last column: a
-- body is long and usually overflows its page, and SQLite reads a column that comes after
-- it only by following the overflow chain (a page of 10 summaries took twice as long).

CREATE TABLE invoices_next (
    -- Insertion order: newest/oldest-first sorts and keyset cursors.
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    tenant         TEXT NOT NULL,
    status         TEXT NOT NULL,
    kind           TEXT NOT NULL DEFAULT 'invoice',
    client_id      TEXT,
    number         TEXT,
    seller_name    TEXT,
    buyer_name     TEXT NOT NULL,
    -- Lower-cased (Unicode) copies of number and buyer name for the text filter.
    number_folded  TEXT,
    buyer_folded   TEXT NOT NULL,
    currency       TEXT,
    issue_date     INTEGER,
    due_date       INTEGER,
    -- The due-date sort key: due_date, or i64::MAX without one.
    due_key        INTEGER NOT NULL,
    net_amount     TEXT,
    vat_amount     TEXT,
    gross_amount   TEXT,
    amount_due     TEXT,
    version        INTEGER NOT NULL,
    updated_at     INTEGER,
    body           TEXT NOT NULL
) STRICT;

INSERT INTO invoices_next (seq, id, tenant, status, client_id, number, buyer_name,
        number_folded, buyer_folded, issue_date, due_date, due_key, version, body)
    SELECT seq, id, tenant, status, client_id, number, buyer_name, number_folded,
        buyer_folded, issue_date, due_date, due_key, version, body
    FROM invoices;

-- Sequence numbers are never handed out twice, also those of rows deleted before.
UPDATE sqlite_sequence
    SET seq = MAX(seq, (SELECT seq FROM sqlite_sequence WHERE name = 'invoices'))
    WHERE name = 'invoices_next';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'invoices_next', seq FROM sqlite_sequence
    WHERE name = 'invoices'
      AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'invoices_next');

DROP TABLE invoices;
ALTER TABLE invoices_next RENAME TO invoices;

CREATE INDEX invoices_tenant_seq ON invoices (tenant, seq);
CREATE INDEX invoices_tenant_status_seq ON invoices (tenant, status, seq);
CREATE INDEX invoices_tenant_client_seq ON invoices (tenant, client_id, seq) WHERE client_id IS NOT NULL;
CREATE INDEX invoices_tenant_due_key_seq ON invoices (tenant, due_key, seq);
CREATE INDEX invoices_tenant_issue_date ON invoices (tenant, issue_date) WHERE issue_date IS NOT NULL;

-- How many invoices each tenant has in each status, kept by triggers, so that the total
-- of a listing filtered at most by status is a sum over a few rows instead of a count
-- over every index entry of the tenant. (SQLite has one writer at a time, so the
-- counter rows cost writers no contention.)
CREATE TABLE invoice_counts (
    tenant    TEXT NOT NULL,
    status    TEXT NOT NULL,
    invoices  INTEGER NOT NULL,
    PRIMARY KEY (tenant, status)
) STRICT, WITHOUT ROWID;

INSERT INTO invoice_counts (tenant, status, invoices)
    SELECT tenant, status, COUNT(*) FROM invoices GROUP BY tenant, status;

CREATE TRIGGER invoice_counts_insert AFTER INSERT ON invoices BEGIN
    INSERT OR IGNORE INTO invoice_counts (tenant, status, invoices)
        VALUES (NEW.tenant, NEW.status, 0);
    UPDATE invoice_counts SET invoices = invoices + 1
        WHERE tenant = NEW.tenant AND status = NEW.status;
END;

CREATE TRIGGER invoice_counts_delete AFTER DELETE ON invoices BEGIN
    UPDATE invoice_counts SET invoices = invoices - 1
        WHERE tenant = OLD.tenant AND status = OLD.status;
END;

CREATE TRIGGER invoice_counts_update AFTER UPDATE OF tenant, status ON invoices
    WHEN OLD.tenant IS NOT NEW.tenant OR OLD.status IS NOT NEW.status
BEGIN
    UPDATE invoice_counts SET invoices = invoices - 1
        WHERE tenant = OLD.tenant AND status = OLD.status;
    INSERT OR IGNORE INTO invoice_counts (tenant, status, invoices)
        VALUES (NEW.tenant, NEW.status, 0);
    UPDATE invoice_counts SET invoices = invoices + 1
        WHERE tenant = NEW.tenant AND status = NEW.status;
END;
