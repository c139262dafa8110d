-- Accounts and sessions. Emails are stored in one normalised form (trimmed, lower case),
-- so the unique index compares them case-insensitively.
CREATE TABLE users (
    id                uuid PRIMARY KEY,
    email             text NOT NULL,
    name              text NOT NULL,
    password_hash     text NOT NULL,
    email_verified_at timestamptz,
    created_at        timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- Only the SHA-256 of a session token is kept: a stolen database copy holds no usable session.
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE email_verifications (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX email_verifications_user_id_idx ON email_verifications (user_id);

-- Failed log-ins live in the database so that every replica counts the same failures.
CREATE TABLE login_failures (
    email     text NOT NULL,
    failed_at timestamptz NOT NULL
);
CREATE INDEX login_failures_email_failed_at_idx ON login_failures (email, failed_at);
