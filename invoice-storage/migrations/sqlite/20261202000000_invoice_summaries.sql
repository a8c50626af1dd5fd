-- What a listing shows, as columns beside the body, so that a page decodes no body:
-- the kind, the seller's name, the currency, the EN 16931 totals (BT-109, BT-110,
-- BT-112) and what is still due as decimal text, and the time of the last change
-- (microseconds since the Unix epoch). Rows written before this migration are filled by
-- the store's migration step, which reads their bodies.
ALTER TABLE invoices ADD COLUMN kind TEXT NOT NULL DEFAULT 'invoice';
ALTER TABLE invoices ADD COLUMN seller_name TEXT;
ALTER TABLE invoices ADD COLUMN currency TEXT;
ALTER TABLE invoices ADD COLUMN net_amount TEXT;
ALTER TABLE invoices ADD COLUMN vat_amount TEXT;
ALTER TABLE invoices ADD COLUMN gross_amount TEXT;
ALTER TABLE invoices ADD COLUMN amount_due TEXT;
ALTER TABLE invoices ADD COLUMN updated_at INTEGER;

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
