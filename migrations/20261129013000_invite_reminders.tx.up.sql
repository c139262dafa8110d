-- Reminders before an invite expires, and the links they replace.

-- How many reminder emails an invite has had (UserInvite.remindersSent). The sweep reminds an
-- invite only while this is 0, so each invite gets at most one, whatever resends happen.
ALTER TABLE invites ADD COLUMN reminders_sent integer NOT NULL DEFAULT 0;

-- The hashes of the tokens that a resend or a reminder replaced, so that the invite page of
-- an old link can say it was replaced by a newer email rather than that it is unknown. Only
-- hashes, like invites.token_hash; they go with their invite when the sweep deletes it.
CREATE TABLE replaced_invite_tokens (
    token_hash  bytea PRIMARY KEY,
    invite_id   uuid NOT NULL REFERENCES invites (id) ON DELETE CASCADE,
    replaced_at timestamptz NOT NULL
);
CREATE INDEX replaced_invite_tokens_invite_id_idx ON replaced_invite_tokens (invite_id);
