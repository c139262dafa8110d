-- Requests to join a project (SPEC §16): a person asks, through an invite link that requires
-- approval, and an ADMIN or OWNER decides. One PENDING request per person and project: the
-- partial unique index is the last word when two requests race (JOIN_REQUEST_EXISTS).
ALTER TABLE invite_links ADD COLUMN requires_approval boolean NOT NULL DEFAULT false;

CREATE TABLE join_requests (
    id          uuid PRIMARY KEY,
    project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The link it came through; null once the link is deleted (the role asked for stays).
    link_id     uuid REFERENCES invite_links (id) ON DELETE SET NULL,
    -- The role an approval gives when the admin names none: the link's.
    asked_role  text NOT NULL CHECK (asked_role IN ('PENDING', 'CONTRIBUTOR', 'ADMIN')),
    message     text,
    status      text NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'DENIED', 'EXPIRED', 'CANCELLED')),
    -- The role given on approval.
    role        text CHECK (role IN ('PENDING', 'CONTRIBUTOR', 'ADMIN')),
    decided_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    decided_at  timestamptz,
    reason      text,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT join_requests_role_when_approved CHECK ((status = 'APPROVED') = (role IS NOT NULL))
);
CREATE UNIQUE INDEX join_requests_pending_key ON join_requests (project_id, user_id) WHERE status = 'PENDING';
CREATE INDEX join_requests_project_id_created_at_idx ON join_requests (project_id, created_at DESC, id DESC);
CREATE INDEX join_requests_user_id_idx ON join_requests (user_id);
CREATE INDEX join_requests_pending_expires_at_idx ON join_requests (expires_at) WHERE status = 'PENDING';
CREATE INDEX join_requests_link_id_idx ON join_requests (link_id);
CREATE INDEX join_requests_decided_by_idx ON join_requests (decided_by);
