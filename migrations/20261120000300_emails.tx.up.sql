-- The outbox of every email. A row is written in the transaction that causes the email, with a
-- River job that sends it after the commit. The bodies and link (which hold secret tokens) are
-- kept only while the email is in flight and wiped once it is sent or has failed for good.
CREATE TABLE emails (
    id         uuid PRIMARY KEY,
    kind       text NOT NULL,
    recipient  text NOT NULL,
    subject    text NOT NULL,
    text_body  text NOT NULL,
    html_body  text NOT NULL,
    link       text NOT NULL,
    status     text NOT NULL CHECK (status IN ('QUEUED', 'SENT', 'FAILED_RETRYABLE', 'FAILED_PERMANENT')),
    attempts   integer NOT NULL DEFAULT 0,
    last_error text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    sent_at    timestamptz
);
CREATE INDEX emails_recipient_idx ON emails (recipient);
