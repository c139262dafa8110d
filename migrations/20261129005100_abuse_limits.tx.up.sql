-- Abuse limits, counted in the database so that every replica counts the same attempts.

-- When an invite was last resent: a resend waits a minute after the previous one (not after
-- the invite's creation, so the first resend right after sending works).
ALTER TABLE invites ADD COLUMN resent_at timestamptz;

-- Invite emails (new, resent) to each recipient address per UTC day, across the service, so
-- that nobody's mailbox can be flooded through us. One row per address and day: a check is
-- one upsert. The sweep deletes past days.
CREATE TABLE invite_recipient_quota (
    email text NOT NULL,
    day   date NOT NULL,
    sent  integer NOT NULL,
    PRIMARY KEY (email, day)
);

-- Which client address failed each log-in: failures are throttled per client, and a client
-- that has failed for an email is slowed down on it, while others are not.
ALTER TABLE login_failures ADD COLUMN client text NOT NULL DEFAULT '';
CREATE INDEX login_failures_client_failed_at_idx ON login_failures (client, failed_at);

-- Attempts of an action (sign-up) per client address per fixed window.
CREATE TABLE client_quota (
    action       text NOT NULL,
    client       text NOT NULL,
    window_start timestamptz NOT NULL,
    used         integer NOT NULL,
    PRIMARY KEY (action, client, window_start)
);
