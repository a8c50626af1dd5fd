-- Receivables aging reads this table instead of the invoices: what is still due on open
-- invoices, summed per tenant, issue date, currency, client and due date. At a million
-- invoices of one tenant it holds as many rows as those keys have distinct values (a few
-- thousand where invoices share terms and clients), so aging reads that many rows, not
-- every open invoice.
--
-- A trigger on invoices keeps it in the write's own transaction: whatever writes an
-- invoice row (the store, a migration filling columns, a bulk INSERT) moves its
-- contribution, so it is never behind. An invoice counts while it is an issued or
-- partially paid invoice (not a credit note) with an amount due above zero, as the core's
-- reference computation counts it.
CREATE TABLE receivables (
    tenant     TEXT NOT NULL,
    issue_date DATE NOT NULL,
    currency   TEXT NOT NULL,
    -- The client's id as text, '' for none (a key column cannot be NULL).
    client_key TEXT NOT NULL,
    -- The due date, or the issue date for an invoice without one.
    due_date   DATE NOT NULL,
    amount     NUMERIC NOT NULL,
    invoices   BIGINT NOT NULL,
    PRIMARY KEY (tenant, issue_date, currency, client_key, due_date)
);

CREATE FUNCTION receivables_track() RETURNS trigger
LANGUAGE plpgsql
-- The table the trigger writes is the one beside it, whatever the caller's search_path.
SET search_path FROM CURRENT
AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (OLD.tenant, OLD.status, OLD.kind, OLD.amount_due, OLD.issue_date, OLD.due_date,
            OLD.client_id, OLD.currency)
           IS NOT DISTINCT FROM
           (NEW.tenant, NEW.status, NEW.kind, NEW.amount_due, NEW.issue_date, NEW.due_date,
            NEW.client_id, NEW.currency) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE')
       AND OLD.status IN ('issued', 'partially_paid') AND OLD.kind = 'invoice'
       AND OLD.amount_due > 0 AND OLD.issue_date IS NOT NULL AND OLD.currency IS NOT NULL THEN
        UPDATE receivables
           SET amount = amount - OLD.amount_due, invoices = invoices - 1
         WHERE tenant = OLD.tenant AND issue_date = OLD.issue_date
           AND currency = OLD.currency AND client_key = COALESCE(OLD.client_id::text, '')
           AND due_date = COALESCE(OLD.due_date, OLD.issue_date);
        DELETE FROM receivables
         WHERE tenant = OLD.tenant AND issue_date = OLD.issue_date
           AND currency = OLD.currency AND client_key = COALESCE(OLD.client_id::text, '')
           AND due_date = COALESCE(OLD.due_date, OLD.issue_date) AND invoices = 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE')
       AND NEW.status IN ('issued', 'partially_paid') AND NEW.kind = 'invoice'
       AND NEW.amount_due > 0 AND NEW.issue_date IS NOT NULL AND NEW.currency IS NOT NULL THEN
        INSERT INTO receivables (tenant, issue_date, currency, client_key, due_date, amount, invoices)
        VALUES (NEW.tenant, NEW.issue_date, NEW.currency, COALESCE(NEW.client_id::text, ''),
                COALESCE(NEW.due_date, NEW.issue_date), NEW.amount_due, 1)
        ON CONFLICT (tenant, issue_date, currency, client_key, due_date) DO UPDATE
           SET amount = receivables.amount + EXCLUDED.amount,
               invoices = receivables.invoices + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER invoices_receivables
    AFTER INSERT OR UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION receivables_track();

INSERT INTO receivables (tenant, issue_date, currency, client_key, due_date, amount, invoices)
SELECT tenant, issue_date, currency, COALESCE(client_id::text, ''),
       COALESCE(due_date, issue_date), SUM(amount_due), COUNT(*)
  FROM invoices
 WHERE status IN ('issued', 'partially_paid') AND kind = 'invoice' AND amount_due > 0
   AND issue_date IS NOT NULL AND currency IS NOT NULL
 GROUP BY 1, 2, 3, 4, 5;
