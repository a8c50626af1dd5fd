-- Consumers' views of invoices (InvoiceViewStore): per consumer, the latest snapshot of
-- each invoice as the events said it, NULL once closed. Open invoices are read by due
-- date, across tenants.

CREATE TABLE invoice_views (
    consumer   TEXT NOT NULL,
    tenant     TEXT NOT NULL,
    invoice_id UUID NOT NULL,
    version    BIGINT NOT NULL,
    due_date   DATE,
    snapshot   JSONB,
    PRIMARY KEY (consumer, tenant, invoice_id)
);

CREATE INDEX invoice_views_open_by_due_date ON invoice_views (consumer, due_date)
    WHERE snapshot IS NOT NULL;
