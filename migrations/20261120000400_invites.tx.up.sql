-- Invitations, to the service alone (project_id NULL) or to a project with a role.
-- Only the SHA-256 of the token is kept. email_id names the invite's latest email, whose
-- status is the invite's delivery status.
CREATE TABLE invites (
    id          uuid PRIMARY KEY,
    email       text NOT NULL,
    project_id  uuid REFERENCES projects (id) ON DELETE CASCADE,
    role        text CHECK (role IN ('PENDING', 'CONTRIBUTOR', 'ADMIN')),
    external_id text,
    inviter_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    invitee_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    token_hash  bytea NOT NULL,
    status      text NOT NULL CHECK (status IN ('PENDING', 'ACCEPTED', 'DECLINED', 'REVOKED', 'EXPIRED')),
    email_id    uuid REFERENCES emails (id) ON DELETE SET NULL,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    claimed_at  timestamptz,
    ended_at    timestamptz,
    CONSTRAINT invites_role_with_project CHECK ((project_id IS NULL) = (role IS NULL)),
    CONSTRAINT invites_external_id_with_project CHECK (project_id IS NOT NULL OR external_id IS NULL)
);
CREATE UNIQUE INDEX invites_token_hash_key ON invites (token_hash);
-- One pending invite per email and project (all invites to the service count as one project).
-- Expired invites still marked PENDING are marked EXPIRED, under the project's lock, before a
-- new invite is written, so they block nothing.
CREATE UNIQUE INDEX invites_pending_email_key
    ON invites (COALESCE(project_id, '00000000-0000-0000-0000-000000000000'::uuid), email)
    WHERE status = 'PENDING';
-- Within a project an external ID has at most one holder among pending invites, and at most
-- one among members; across the two tables the project lock keeps it to one in all.
CREATE UNIQUE INDEX invites_pending_external_id_key ON invites (project_id, external_id)
    WHERE status = 'PENDING' AND external_id IS NOT NULL;
CREATE UNIQUE INDEX project_members_external_id_key ON project_members (project_id, external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX invites_project_id_created_at_idx ON invites (project_id, created_at DESC, id DESC);
CREATE INDEX invites_email_idx ON invites (email);
CREATE INDEX invites_inviter_id_idx ON invites (inviter_id, created_at);
CREATE INDEX invites_pending_expires_at_idx ON invites (expires_at) WHERE status = 'PENDING';
CREATE INDEX invites_ended_at_idx ON invites (ended_at) WHERE status IN ('EXPIRED', 'DECLINED', 'REVOKED');

-- Tracked events: an append-only record of what happened. project_id is NULL for events of
-- invites to the service alone. No foreign keys, on purpose: the record keeps naming an invite
-- that the sweep has deleted or an actor whose account is gone (readers show those as null),
-- and a bulk invite writes four events per row, where per-row foreign-key checks would cost
-- more than the rest of the batch.
CREATE TABLE activity_events (
    id         uuid PRIMARY KEY,
    project_id uuid,
    name       text NOT NULL,
    actor_id   uuid,
    invite_id  uuid,
    email      text,
    created_at timestamptz NOT NULL
);
CREATE INDEX activity_events_project_id_created_at_idx ON activity_events (project_id, created_at DESC, id DESC);
