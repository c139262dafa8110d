-- Live updates (Subscription.inviteChanged, Subscription.activityAdded): every change that a
-- subscriber sees is published from the change's own transaction with pg_notify on the channel
-- "live", which PostgreSQL delivers to every replica's listener on commit (and never on a
-- rollback). Statement-level triggers with transition tables publish set-based: one trigger run
-- per statement however many rows it wrote (a 10,000-row bulk invite stays the same statements),
-- and one notification per project and chunk of 100 IDs, which keeps each payload far below
-- NOTIFY's 8000 bytes. Payloads carry IDs only: {"k": kind, "p": project ID, "ids": [...]};
-- each subscriber loads what it shows under its viewer's rights.
--   k = "invite":   invites created, or changed in what a subscriber shows (status, role,
--                   external ID, email, latest email), or whose latest email changed status.
--   k = "activity": tracked events recorded.
--   k = "member":   members whose role changed or who left (IDs are user IDs): their streams
--                   check their authority again and end when it is gone.

-- The invites whose latest email a status change concerns (also serves ON DELETE SET NULL).
CREATE INDEX invites_email_id_idx ON invites (email_id) WHERE email_id IS NOT NULL;

-- Each function numbers its rows within their project and sends one notification per project
-- and chunk of 100: {"k": kind, "p": project, "ids": [...]}.

CREATE FUNCTION live_invites_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('live', json_build_object('k', 'invite', 'p', p, 'ids', json_agg(id))::text)
    FROM (SELECT n.project_id AS p, n.id, (row_number() OVER (PARTITION BY n.project_id) - 1) / 100 AS chunk
          FROM live_new AS n WHERE n.project_id IS NOT NULL) AS r
    GROUP BY p, chunk;
    RETURN NULL;
END
$$;

CREATE FUNCTION live_invites_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('live', json_build_object('k', 'invite', 'p', p, 'ids', json_agg(id))::text)
    FROM (SELECT n.project_id AS p, n.id, (row_number() OVER (PARTITION BY n.project_id) - 1) / 100 AS chunk
          FROM live_new AS n JOIN live_old AS o ON o.id = n.id
          WHERE n.project_id IS NOT NULL
            AND (n.status, n.role, n.external_id, n.email, n.email_id, n.invitee_id)
                IS DISTINCT FROM (o.status, o.role, o.external_id, o.email, o.email_id, o.invitee_id)) AS r
    GROUP BY p, chunk;
    RETURN NULL;
END
$$;

CREATE FUNCTION live_emails_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('live', json_build_object('k', 'invite', 'p', p, 'ids', json_agg(id))::text)
    FROM (SELECT i.project_id AS p, i.id, (row_number() OVER (PARTITION BY i.project_id) - 1) / 100 AS chunk
          FROM live_new AS n JOIN live_old AS o ON o.id = n.id JOIN invites AS i ON i.email_id = n.id
          WHERE n.status IS DISTINCT FROM o.status AND i.project_id IS NOT NULL) AS r
    GROUP BY p, chunk;
    RETURN NULL;
END
$$;

CREATE FUNCTION live_events_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('live', json_build_object('k', 'activity', 'p', p, 'ids', json_agg(id))::text)
    FROM (SELECT n.project_id AS p, n.id, (row_number() OVER (PARTITION BY n.project_id) - 1) / 100 AS chunk
          FROM live_new AS n WHERE n.project_id IS NOT NULL) AS r
    GROUP BY p, chunk;
    RETURN NULL;
END
$$;

CREATE FUNCTION live_members_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('live', json_build_object('k', 'member', 'p', p, 'ids', json_agg(id))::text)
    FROM (SELECT n.project_id AS p, n.user_id AS id, (row_number() OVER (PARTITION BY n.project_id) - 1) / 100 AS chunk
          FROM live_new AS n JOIN live_old AS o ON o.id = n.id
          WHERE n.role IS DISTINCT FROM o.role) AS r
    GROUP BY p, chunk;
    RETURN NULL;
END
$$;

CREATE FUNCTION live_members_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('live', json_build_object('k', 'member', 'p', p, 'ids', json_agg(id))::text)
    FROM (SELECT o.project_id AS p, o.user_id AS id, (row_number() OVER (PARTITION BY o.project_id) - 1) / 100 AS chunk
          FROM live_old AS o) AS r
    GROUP BY p, chunk;
    RETURN NULL;
END
$$;

CREATE TRIGGER live_invites_inserted AFTER INSERT ON invites
    REFERENCING NEW TABLE AS live_new FOR EACH STATEMENT EXECUTE FUNCTION live_invites_inserted();
CREATE TRIGGER live_invites_updated AFTER UPDATE ON invites
    REFERENCING OLD TABLE AS live_old NEW TABLE AS live_new FOR EACH STATEMENT EXECUTE FUNCTION live_invites_updated();
CREATE TRIGGER live_emails_updated AFTER UPDATE ON emails
    REFERENCING OLD TABLE AS live_old NEW TABLE AS live_new FOR EACH STATEMENT EXECUTE FUNCTION live_emails_updated();
CREATE TRIGGER live_events_inserted AFTER INSERT ON activity_events
    REFERENCING NEW TABLE AS live_new FOR EACH STATEMENT EXECUTE FUNCTION live_events_inserted();
CREATE TRIGGER live_members_updated AFTER UPDATE ON project_members
    REFERENCING OLD TABLE AS live_old NEW TABLE AS live_new FOR EACH STATEMENT EXECUTE FUNCTION live_members_updated();
CREATE TRIGGER live_members_deleted AFTER DELETE ON project_members
    REFERENCING OLD TABLE AS live_old FOR EACH STATEMENT EXECUTE FUNCTION live_members_deleted();
