-- Beside each invoice row, the JSON it is answered with (`{"totals": …,
-- "amount_due": "…"}`) and the version of invoice-core that wrote it and the body
-- (`invoice_core::MODEL_VERSION`), so that `get_json` joins body and totals into the
-- answer without decoding the invoice when the running build writes the same shape.
-- Invoices written before, or by another version, are decoded; each write keeps its row
-- here.
--
-- A table of its own rather than columns of `invoices`: with them, a 10-line invoice's
-- row outgrew half a page, so each took a page of its own and writes wrote twice the
-- table's pages (a POST cost 12 to 16 % more CPU in interleaved load runs). In a table of
-- its own each group commit writes one more page instead, for about the same cost.
CREATE TABLE invoice_json (
    -- The invoice row's seq.
    seq            INTEGER PRIMARY KEY,
    model_version  TEXT NOT NULL,
    derived        TEXT NOT NULL
) STRICT;

CREATE TRIGGER invoice_json_delete AFTER DELETE ON invoices BEGIN
    DELETE FROM invoice_json WHERE seq = OLD.seq;
END;
