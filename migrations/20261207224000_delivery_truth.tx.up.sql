-- Delivery truth (SPEC §15): what providers and returned mail say about an email after it left
-- us. The statuses an email may reach after SENT; internal/delivery moves an email forward only
-- (a conditional UPDATE by rank), never back.
ALTER TABLE emails DROP CONSTRAINT emails_status_check;
ALTER TABLE emails ADD CONSTRAINT emails_status_check CHECK (status IN ('QUEUED', 'SENT', 'FAILED_RETRYABLE',
    'FAILED_PERMANENT', 'DEFERRED', 'DELIVERED', 'BOUNCED', 'COMPLAINED', 'SUPPRESSED'));

-- Each provider event recorded once: the provider's own event ID, or where it gives none a key
-- made of its kind, message, recipient and time (event_key). project_id is the project of the
-- email's invite (NULL for emails of no project: verification, password reset, invites to the
-- service alone), and leads the unique key as a project's data does (SPEC §18). The events
-- also count soft bounces per recipient (three in seven days suppress).
CREATE TABLE delivery_events (
    id          uuid PRIMARY KEY,
    project_id  uuid,
    provider    text NOT NULL,
    event_key   text NOT NULL,
    kind        text NOT NULL,
    email_id    uuid NOT NULL,
    recipient   text NOT NULL,
    reason      text NOT NULL DEFAULT '',
    at          timestamptz NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX delivery_events_key ON delivery_events (project_id, provider, event_key) NULLS NOT DISTINCT;
CREATE INDEX delivery_events_soft_bounces_idx ON delivery_events (recipient, at) WHERE kind = 'SOFT_BOUNCE';

-- The addresses no invite email goes to, service-wide (a reference table: no project owns an
-- address). At most one active row per address; a lift keeps the row as history.
CREATE TABLE suppressions (
    id         uuid PRIMARY KEY,
    email      text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('HARD_BOUNCE', 'COMPLAINT', 'SOFT_BOUNCES')),
    reason     text NOT NULL,
    created_at timestamptz NOT NULL,
    lifted_at  timestamptz,
    lifted_by  uuid
);
CREATE UNIQUE INDEX suppressions_active_email_key ON suppressions (email) WHERE lifted_at IS NULL;

-- What an activity event's sentence needs beyond its actor, invite and email: a bounce's or
-- complaint's reason ("bounced: no such user"), an updated invite's previous address or role.
ALTER TABLE activity_events ADD COLUMN detail text;
