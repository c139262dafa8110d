-- Safe retries (internal/idempotency): one row per Idempotency-Key and caller, kept until
-- expires_at. Nothing here is usable without the request that made the row: the key and the
-- caller are kept only as a hash (id), the request's body only as an HMAC under its key
-- (fingerprint), and the answer, which may hold a session token, is sealed (AES-256-GCM) under a
-- key made from the Idempotency-Key and the request's body.
CREATE TABLE idempotency_keys (
    id           bytea PRIMARY KEY,
    fingerprint  bytea NOT NULL,
    -- The answer: null while the request runs.
    status       integer,
    content_type text,
    body         bytea,
    -- A run not finished by then is taken for a dead process's: a retry may run again.
    locked_until timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);
