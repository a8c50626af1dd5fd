-- An invoice's history (InvoiceStore::history) is its outbox rows, published or not, in
-- sequence order: this index reads them without scanning the whole outbox, which keeps
-- its published rows. (seq is the rowid, in every index anyway; it is named so that the
-- index reads as PostgreSQL's.)
CREATE INDEX IF NOT EXISTS outbox_tenant_invoice_seq ON outbox (tenant, invoice_id, seq);
