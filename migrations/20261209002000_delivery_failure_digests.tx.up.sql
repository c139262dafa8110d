-- Languages (SPEC §17, issue 24): an inviter is told, in their own locale, of the invitations
-- whose emails failed for good (FAILED_PERMANENT, BOUNCED, SUPPRESSED), at most once an hour
-- per project: a bulk of a thousand bounces makes one email, not a thousand.
-- When each inviter was last sent the digest of a project: the sweep claims the row with a
-- conditional upsert, so two replicas never both send it.
CREATE TABLE delivery_failure_digests (
    project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    inviter_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sent_at    timestamptz NOT NULL,
    PRIMARY KEY (project_id, inviter_id)
);

-- When an invite email's failure was told to its inviter: each failure is told once. The
-- failures before this migration count as told (their inviters saw them on the invitations
-- page), so that the first sweep does not send the whole history.
ALTER TABLE emails ADD COLUMN failure_told_at timestamptz;
UPDATE emails SET failure_told_at = updated_at
WHERE kind = 'invite' AND status IN ('FAILED_PERMANENT', 'BOUNCED', 'SUPPRESSED');
CREATE INDEX emails_untold_failures_idx ON emails (id)
WHERE kind = 'invite' AND failure_told_at IS NULL AND status IN ('FAILED_PERMANENT', 'BOUNCED', 'SUPPRESSED');
