-- Bulk previews and the inviter's per-address quota (issue 19 finding 3, issue 20 item 5).

-- A bulk invite's dry run, kept so that confirmBulkInvite writes exactly what it showed: the
-- rows as given, each row's promised outcome and the ID of each invite it would create (plan),
-- then, once confirmed, the result that a second confirm answers with (result; plan is
-- dropped then). A project's data, so project_id leads the primary key (SPEC section 18); the
-- API names a preview by id alone, hence the index on id. The sweep deletes previews a day
-- after they expire, and a dry run keeps only the inviter's newest ten.
CREATE TABLE bulk_previews (
    project_id   uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    id           uuid NOT NULL,
    inviter_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    plan         json,
    result       json,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    confirmed_at timestamptz,
    PRIMARY KEY (project_id, id),
    CONSTRAINT bulk_previews_plan_or_result CHECK ((plan IS NULL) = (confirmed_at IS NOT NULL)),
    CONSTRAINT bulk_previews_result_when_confirmed CHECK ((result IS NULL) = (confirmed_at IS NULL))
);
CREATE INDEX bulk_previews_id_idx ON bulk_previews (id);
CREATE INDEX bulk_previews_inviter_id_created_at_idx ON bulk_previews (inviter_id, created_at DESC);
CREATE INDEX bulk_previews_expires_at_idx ON bulk_previews (expires_at);

-- The addresses new to a project that each inviter's bulk invites (dry runs included) looked
-- up in each clock hour: each counts once an hour against the inviter's hourly cap
-- (invite_quota.sent), so that a preview and its confirmation, or a roster uploaded again, cost
-- it once. The SHA-256 of the address, not the address: a fixed 32 bytes, and no list of whom
-- someone looked up. The inviter's, across projects, not a project's data: no project_id, like
-- invite_quota. The sweep deletes past hours.
CREATE TABLE invite_quota_addresses (
    inviter_id   uuid NOT NULL,
    window_start timestamptz NOT NULL,
    address_hash bytea NOT NULL,
    PRIMARY KEY (inviter_id, window_start, address_hash)
);
