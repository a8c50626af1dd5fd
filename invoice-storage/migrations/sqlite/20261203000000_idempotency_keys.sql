-- Idempotency keys: per tenant, the fingerprint of the request that first used the key,
-- the lease of the request that holds it, and once it finished its response (status,
-- headers as a JSON list of pairs, body). Times are microseconds since the Unix epoch.
-- Rows older than the retention period are purged by created_at.

CREATE TABLE idempotency_keys (
    tenant       TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    status       INTEGER,
    headers      TEXT,
    body         BLOB,
    PRIMARY KEY (tenant, key)
) STRICT;

CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
