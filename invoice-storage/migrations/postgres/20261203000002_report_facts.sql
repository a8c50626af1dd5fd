-- What reports read beside the summary columns: the VAT breakdown (BG-23) of each
-- invoice, as a JSON list of {category, rate, taxable, tax} with decimal strings, summed
-- per category and rate by the VAT summary. Rows written before this migration are
-- filled by the store's migrate(), from their bodies.
ALTER TABLE invoices ADD COLUMN facts JSONB;

CREATE INDEX invoices_unreported ON invoices (seq) WHERE facts IS NULL;

-- Revenue and the VAT summary read a tenant's issued documents by issue date; aging its
-- open invoices. Each index carries what its reports read, so that they are index-only
-- scans that never touch the rows (and their bodies).
CREATE INDEX invoices_issued_by_date ON invoices (tenant, issue_date)
    INCLUDE (kind, currency, client_id, net_amount, gross_amount, facts)
    WHERE status <> 'draft';
CREATE INDEX invoices_open_by_due_date ON invoices (tenant, due_date)
    INCLUDE (issue_date, currency, client_id, amount_due)
    WHERE status IN ('issued', 'partially_paid') AND kind = 'invoice';
