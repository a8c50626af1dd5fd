-- Consumers' views of invoices (InvoiceViewStore): per consumer, the latest snapshot of
-- each invoice as the events said it (JSON), NULL once closed. Due dates are day numbers
-- (days from the common era), as in the invoices table. Open invoices are read by due
-- date, across tenants.

CREATE TABLE invoice_views (
    consumer   TEXT NOT NULL,
    tenant     TEXT NOT NULL,
    invoice_id TEXT NOT NULL,
    version    INTEGER NOT NULL,
    due_date   INTEGER,
    snapshot   TEXT,
    PRIMARY KEY (consumer, tenant, invoice_id)
) STRICT;

CREATE INDEX invoice_views_open_by_due_date ON invoice_views (consumer, due_date)
    WHERE snapshot IS NOT NULL;
