-- The outbox of every email. A row is written in the transaction that causes the email, with a
-- River job that sends it after the commit. It holds the template's inputs (params), not the
-- rendered bodies: the worker renders them when it sends, so that queueing thousands of emails
-- in one request stays small. The link holds a secret token: it is kept only while the email is
-- in flight and wiped once it is sent or has failed for good.
CREATE TABLE emails (
    id         uuid PRIMARY KEY,
    kind       text NOT NULL,
    recipient  text NOT NULL,
    subject    text NOT NULL,
    params     jsonb NOT NULL,
    link       text NOT NULL,
    status     text NOT NULL CHECK (status IN ('QUEUED', 'SENT', 'FAILED_RETRYABLE', 'FAILED_PERMANENT')),
    attempts   integer NOT NULL DEFAULT 0,
    last_error text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    sent_at    timestamptz
);
CREATE INDEX emails_recipient_idx ON emails (recipient);
