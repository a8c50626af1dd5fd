-- What reports read beside the summary columns (JSON): every amount also as an integer of
-- 1/10 000ths, which SQLite sums exactly, and the VAT breakdown (BG-23) per category
-- and rate. Rows written before this migration are filled by the migration's step in
-- Rust, from their bodies. The column comes after the body: only reports read it.
ALTER TABLE invoices ADD COLUMN facts TEXT;

-- Revenue and the VAT summary read a tenant's issued documents by issue date; aging its
-- open invoices.
CREATE INDEX invoices_issued_by_date ON invoices (tenant, issue_date)
    WHERE status <> 'draft';
CREATE INDEX invoices_open_by_due_date ON invoices (tenant, due_date)
    WHERE status IN ('issued', 'partially_paid');
