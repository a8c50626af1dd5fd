-- Receivables aging reads this table instead of the invoices: what is still due on open
-- invoices, summed per tenant, issue date, currency, client and due date. At a million
-- invoices of one tenant it holds as many rows as those keys have distinct values (a few
-- thousand where invoices share terms and clients), so aging reads that many rows, not
-- every open invoice.
--
-- Statement triggers on invoices keep it in the write's own transaction, from the
-- statement's transition tables: whatever writes invoice rows (the store, a migration
-- filling columns, a bulk INSERT of a million rows) moves their contributions in a few
-- set-based statements. An invoice counts while it is an issued or partially paid invoice
-- (not a credit note) with an amount due above zero, as the core's reference computation
-- counts it.
--
-- The per-status counts (invoice_counts) move to statement triggers too: their row
-- triggers made a bulk INSERT update a few counter rows once per row inserted, each
-- update longer than the last within one transaction.
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

INSERT INTO receivables (tenant, issue_date, currency, client_key, due_date, amount, invoices)
SELECT tenant, issue_date, currency, COALESCE(client_id::text, ''),
       COALESCE(due_date, issue_date), SUM(amount_due), COUNT(*)
  FROM invoices
 WHERE status IN ('issued', 'partially_paid') AND kind = 'invoice' AND amount_due > 0
   AND issue_date IS NOT NULL AND currency IS NOT NULL
 GROUP BY 1, 2, 3, 4, 5;

-- Whether an invoice row counts as a receivable.
CREATE FUNCTION counts_as_receivable(status TEXT, kind TEXT, amount_due NUMERIC, issue_date DATE,
                           currency TEXT) RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE
AS $$
    SELECT status IN ('issued', 'partially_paid') AND kind = 'invoice' AND amount_due > 0
       AND issue_date IS NOT NULL AND currency IS NOT NULL
$$;

-- Moves the receivables and the per-status counts of the rows a statement wrote, from
-- its transition tables: a few set-based statements whether it wrote one row or a million.
-- On UPDATE only rows whose counted columns changed are moved.
CREATE FUNCTION invoices_follow() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        WITH rows AS (SELECT * FROM new_rows)
        INSERT INTO receivables AS r (tenant, issue_date, currency, client_key, due_date, amount, invoices)
        SELECT x.tenant, x.issue_date, x.currency, COALESCE(x.client_id::text, ''),
               COALESCE(x.due_date, x.issue_date), SUM(x.amount_due), COUNT(*)
          FROM rows x
         WHERE counts_as_receivable(x.status, x.kind, x.amount_due, x.issue_date, x.currency)
         GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (tenant, issue_date, currency, client_key, due_date) DO UPDATE
           SET amount = r.amount + EXCLUDED.amount, invoices = r.invoices + EXCLUDED.invoices;
        WITH rows AS (SELECT * FROM new_rows)
        INSERT INTO invoice_counts AS c (tenant, status, shard, invoices)
        SELECT x.tenant, x.status, floor(random() * 16)::smallint, COUNT(*)
          FROM rows x
         GROUP BY x.tenant, x.status
        ON CONFLICT (tenant, status, shard) DO UPDATE SET invoices = c.invoices + EXCLUDED.invoices;
    ELSIF TG_OP = 'DELETE' THEN
        WITH rows AS (SELECT * FROM old_rows)
        INSERT INTO receivables AS r (tenant, issue_date, currency, client_key, due_date, amount, invoices)
        SELECT x.tenant, x.issue_date, x.currency, COALESCE(x.client_id::text, ''),
               COALESCE(x.due_date, x.issue_date), -SUM(x.amount_due), -COUNT(*)
          FROM rows x
         WHERE counts_as_receivable(x.status, x.kind, x.amount_due, x.issue_date, x.currency)
         GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (tenant, issue_date, currency, client_key, due_date) DO UPDATE
           SET amount = r.amount + EXCLUDED.amount, invoices = r.invoices + EXCLUDED.invoices;
        WITH rows AS (SELECT * FROM old_rows)
        DELETE FROM receivables r
         USING (SELECT DISTINCT x.tenant, x.issue_date, x.currency,
                       COALESCE(x.client_id::text, '') AS client_key,
                       COALESCE(x.due_date, x.issue_date) AS due_date
                  FROM rows x
                 WHERE counts_as_receivable(x.status, x.kind, x.amount_due, x.issue_date, x.currency)) k
         WHERE r.invoices = 0 AND r.tenant = k.tenant AND r.issue_date = k.issue_date
           AND r.currency = k.currency AND r.client_key = k.client_key
           AND r.due_date = k.due_date;
        WITH rows AS (SELECT * FROM old_rows)
        INSERT INTO invoice_counts AS c (tenant, status, shard, invoices)
        SELECT x.tenant, x.status, floor(random() * 16)::smallint, -COUNT(*)
          FROM rows x
         GROUP BY x.tenant, x.status
        ON CONFLICT (tenant, status, shard) DO UPDATE SET invoices = c.invoices + EXCLUDED.invoices;
    ELSE
        WITH rows AS (SELECT x.* FROM old_rows x
             WHERE NOT EXISTS (
                   SELECT 1 FROM new_rows y WHERE y.id = x.id
                      AND (y.tenant, y.status, y.kind, y.amount_due, y.issue_date, y.due_date,
                           y.client_id, y.currency)
                          IS NOT DISTINCT FROM
                          (x.tenant, x.status, x.kind, x.amount_due, x.issue_date, x.due_date,
                           x.client_id, x.currency)))
        INSERT INTO receivables AS r (tenant, issue_date, currency, client_key, due_date, amount, invoices)
        SELECT x.tenant, x.issue_date, x.currency, COALESCE(x.client_id::text, ''),
               COALESCE(x.due_date, x.issue_date), -SUM(x.amount_due), -COUNT(*)
          FROM rows x
         WHERE counts_as_receivable(x.status, x.kind, x.amount_due, x.issue_date, x.currency)
         GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (tenant, issue_date, currency, client_key, due_date) DO UPDATE
           SET amount = r.amount + EXCLUDED.amount, invoices = r.invoices + EXCLUDED.invoices;
        WITH rows AS (SELECT x.* FROM old_rows x
             WHERE NOT EXISTS (
                   SELECT 1 FROM new_rows y WHERE y.id = x.id
                      AND (y.tenant, y.status, y.kind, y.amount_due, y.issue_date, y.due_date,
                           y.client_id, y.currency)
                          IS NOT DISTINCT FROM
                          (x.tenant, x.status, x.kind, x.amount_due, x.issue_date, x.due_date,
                           x.client_id, x.currency)))
        DELETE FROM receivables r
         USING (SELECT DISTINCT x.tenant, x.issue_date, x.currency,
                       COALESCE(x.client_id::text, '') AS client_key,
                       COALESCE(x.due_date, x.issue_date) AS due_date
                  FROM rows x
                 WHERE counts_as_receivable(x.status, x.kind, x.amount_due, x.issue_date, x.currency)) k
         WHERE r.invoices = 0 AND r.tenant = k.tenant AND r.issue_date = k.issue_date
           AND r.currency = k.currency AND r.client_key = k.client_key
           AND r.due_date = k.due_date;
        WITH rows AS (SELECT x.* FROM new_rows x
             WHERE NOT EXISTS (
                   SELECT 1 FROM old_rows y WHERE y.id = x.id
                      AND (y.tenant, y.status, y.kind, y.amount_due, y.issue_date, y.due_date,
                           y.client_id, y.currency)
                          IS NOT DISTINCT FROM
                          (x.tenant, x.status, x.kind, x.amount_due, x.issue_date, x.due_date,
                           x.client_id, x.currency)))
        INSERT INTO receivables AS r (tenant, issue_date, currency, client_key, due_date, amount, invoices)
        SELECT x.tenant, x.issue_date, x.currency, COALESCE(x.client_id::text, ''),
               COALESCE(x.due_date, x.issue_date), SUM(x.amount_due), COUNT(*)
          FROM rows x
         WHERE counts_as_receivable(x.status, x.kind, x.amount_due, x.issue_date, x.currency)
         GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (tenant, issue_date, currency, client_key, due_date) DO UPDATE
           SET amount = r.amount + EXCLUDED.amount, invoices = r.invoices + EXCLUDED.invoices;
        WITH rows AS (SELECT x.* FROM old_rows x
             WHERE NOT EXISTS (
                   SELECT 1 FROM new_rows y WHERE y.id = x.id
                      AND (y.tenant, y.status) IS NOT DISTINCT FROM (x.tenant, x.status)))
        INSERT INTO invoice_counts AS c (tenant, status, shard, invoices)
        SELECT x.tenant, x.status, floor(random() * 16)::smallint, -COUNT(*)
          FROM rows x
         GROUP BY x.tenant, x.status
        ON CONFLICT (tenant, status, shard) DO UPDATE SET invoices = c.invoices + EXCLUDED.invoices;
        WITH rows AS (SELECT x.* FROM new_rows x
             WHERE NOT EXISTS (
                   SELECT 1 FROM old_rows y WHERE y.id = x.id
                      AND (y.tenant, y.status) IS NOT DISTINCT FROM (x.tenant, x.status)))
        INSERT INTO invoice_counts AS c (tenant, status, shard, invoices)
        SELECT x.tenant, x.status, floor(random() * 16)::smallint, COUNT(*)
          FROM rows x
         GROUP BY x.tenant, x.status
        ON CONFLICT (tenant, status, shard) DO UPDATE SET invoices = c.invoices + EXCLUDED.invoices;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER invoice_counts_insert_delete ON invoices;
DROP TRIGGER invoice_counts_update ON invoices;
DROP FUNCTION invoice_counts_follow();

CREATE TRIGGER invoices_follow_insert AFTER INSERT ON invoices
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION invoices_follow();
CREATE TRIGGER invoices_follow_update AFTER UPDATE ON invoices
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION invoices_follow();
CREATE TRIGGER invoices_follow_delete AFTER DELETE ON invoices
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION invoices_follow();
