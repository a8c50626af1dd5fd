-- Idempotency keys: per tenant, the fingerprint of the request that first used the key,
-- the lease of the request that holds it, and once it finished its response (status,
-- headers as a JSON list of pairs, body). Rows older than the retention period are
-- purged by created_at.

CREATE TABLE idempotency_keys (
    tenant       TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ NOT NULL,
    status       INTEGER,
    headers      TEXT,
    body         BYTEA,
    PRIMARY KEY (tenant, key)
);

CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
