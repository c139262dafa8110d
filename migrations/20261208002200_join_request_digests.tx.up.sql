-- The hourly email digest of pending requests to join, per admin (SPEC §16): when each admin
-- was last sent one (at most one an hour: the sweep claims the row with a conditional upsert,
-- so two replicas never both send), and whether they asked for none.
CREATE TABLE join_request_digests (
    user_id  uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sent_at  timestamptz,
    muted    boolean NOT NULL DEFAULT false
);
