-- Webhooks (SPEC §13): a project's endpoints and the log of what was posted to them.

-- The signing secret is kept encrypted (AES-256-GCM under the server's key, see
-- internal/webhooks/secret.go): HMAC signing needs the secret itself, so a hash would not do,
-- and the ciphertext alone does not give it to whoever reads a database dump.
CREATE TABLE webhook_endpoints (
    id               uuid PRIMARY KEY,
    project_id       uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    url              text NOT NULL,
    -- The event types sent (invite.created, ...); empty: all.
    events           text[] NOT NULL DEFAULT '{}',
    enabled          boolean NOT NULL DEFAULT true,
    secret_encrypted bytea NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX webhook_endpoints_project_id_idx ON webhook_endpoints (project_id, created_at);

-- One event posted (or being posted) to one endpoint. The payload is rendered when the event
-- is recorded, in its transaction, so it says what was true then; its id is the Standard
-- Webhooks message id (webhook-id), the same on every attempt.
CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY,
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        uuid NOT NULL,
    event_type      text NOT NULL,
    payload         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
    attempts        integer NOT NULL DEFAULT 0,
    response_status integer,
    last_error      text,
    created_at      timestamptz NOT NULL,
    delivered_at    timestamptz,
    next_attempt_at timestamptz
);
CREATE INDEX webhook_deliveries_endpoint_id_created_at_idx ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);

-- The key that encrypts the secrets when WEBHOOK_SECRET_KEY is unset: made on first use, one
-- per installation, so that every replica reads the same secrets. With it here, a full dump
-- gives the secrets: production sets WEBHOOK_SECRET_KEY, and this row is then never made.
CREATE TABLE webhook_settings (
    id         integer PRIMARY KEY CHECK (id = 1),
    secret_key bytea NOT NULL
);
