-- Shareable invite links: whoever opens one (with an allowed email) joins the project with its
-- role, until it expires, is used up or is revoked. Only the SHA-256 of the token is kept.
-- uses never passes max_uses: a join counts its use with a conditional UPDATE on this row,
-- and the CHECK is the last word if code ever forgot.
CREATE TABLE invite_links (
    id                    uuid PRIMARY KEY,
    project_id            uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    role                  text NOT NULL CHECK (role IN ('PENDING', 'CONTRIBUTOR', 'ADMIN')),
    created_by            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash            bytea NOT NULL,
    max_uses              integer CHECK (max_uses >= 1),
    uses                  integer NOT NULL DEFAULT 0 CHECK (uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)),
    allowed_email_domains text[] NOT NULL DEFAULT '{}',
    expires_at            timestamptz NOT NULL,
    revoked_at            timestamptz,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);
CREATE UNIQUE INDEX invite_links_token_hash_key ON invite_links (token_hash);
CREATE INDEX invite_links_project_id_created_at_idx ON invite_links (project_id, created_at DESC, id DESC);
CREATE INDEX invite_links_created_by_idx ON invite_links (created_by);
