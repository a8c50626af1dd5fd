-- What a listing shows, as columns beside the body, so that a page decodes no body:
-- the kind, the seller's name, the currency, the EN 16931 totals (BT-109, BT-110,
-- BT-112) and what is still due, and the time of the last change. Rows written before
-- this migration are filled by the store's `migrate()`, which reads their bodies.
ALTER TABLE invoices
    ADD COLUMN kind          TEXT NOT NULL DEFAULT 'invoice',
    ADD COLUMN seller_name   TEXT,
    ADD COLUMN currency      TEXT,
    ADD COLUMN net_amount    NUMERIC,
    ADD COLUMN vat_amount    NUMERIC,
    ADD COLUMN gross_amount  NUMERIC,
    ADD COLUMN amount_due    NUMERIC,
    ADD COLUMN updated_at    TIMESTAMPTZ;

CREATE INDEX invoices_unsummarized ON invoices (seq) WHERE currency IS NULL;
