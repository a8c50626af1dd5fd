-- Each invoice row keeps, beside its JSON body, the JSON it is answered with
-- (`{"totals": …, "amount_due": "…"}`) and the version of invoice-core that wrote both
-- (`invoice_core::MODEL_VERSION`), so that `get_json` joins them into the answer
-- without decoding the invoice when the running build writes the same shape. Rows
-- written before keep NULLs and are decoded, as are rows of another version; each write
-- fills both.
ALTER TABLE invoices ADD COLUMN derived TEXT;
ALTER TABLE invoices ADD COLUMN model_version TEXT;
