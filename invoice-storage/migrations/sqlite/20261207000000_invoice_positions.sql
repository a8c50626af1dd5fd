-- Each invoice gets its position among its tenant's invoices (1, 2, 3, … in insertion
-- order), so that an offset page of the unfiltered list, newest or oldest first, is
-- found by seeking to a position instead of stepping over every row before it (an
-- OFFSET steps over them one by one: page 500 of 10 read 5 000 index entries).
--
-- A deleted invoice (only drafts can be) leaves its position behind as a gap, which
-- the page's seek skips by counting the gaps beyond it (see `sqlite/positions.rs`). The
-- positions given are always 1 … the highest live position, each either live or a gap:
-- a new invoice takes the highest plus one, and deleting the highest forgets the gaps
-- above the new highest.
ALTER TABLE invoices ADD COLUMN position INTEGER;

UPDATE invoices SET position = ranked.position
FROM (SELECT seq, ROW_NUMBER() OVER (PARTITION BY tenant ORDER BY seq) AS position
      FROM invoices) AS ranked
WHERE ranked.seq = invoices.seq;

CREATE UNIQUE INDEX invoices_tenant_position ON invoices (tenant, position);

CREATE TABLE invoice_position_gaps (
    tenant    TEXT NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (tenant, position)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER invoice_position_gaps_delete AFTER DELETE ON invoices BEGIN
    INSERT INTO invoice_position_gaps (tenant, position) VALUES (OLD.tenant, OLD.position);
    DELETE FROM invoice_position_gaps
        WHERE tenant = OLD.tenant
          AND position > COALESCE(
              (SELECT MAX(position) FROM invoices WHERE tenant = OLD.tenant), 0);
END;
