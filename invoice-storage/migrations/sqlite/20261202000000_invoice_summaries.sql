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
