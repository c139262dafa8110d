-- How many invites each inviter sent in each clock hour, for the cap on invites per inviter
-- per hour. In the database so that every replica counts the same sends; one row per hour, so
-- a check is one upsert whatever the number of invites. The sweep deletes old hours.
CREATE TABLE invite_quota (
    inviter_id   uuid NOT NULL,
    window_start timestamptz NOT NULL,
    sent         integer NOT NULL,
    PRIMARY KEY (inviter_id, window_start)
);
