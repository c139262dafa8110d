-- Live changes go through a table instead of pg_notify (issue 25, docs/scaling.md): every
-- trigger of 20261129016000 and 20261208002100 inserts its changes into live_changes, one row
-- per project and chunk of at most 100 IDs as it sent one notification before. A pg_notify
-- in a transaction takes PostgreSQL's notification queue lock at commit and holds it until
-- the commit is durable, so every notifying transaction of the whole cluster commits one after
-- the other; a row in a table commits with its transaction's other rows, in group commits.
-- One listener per database (the holder of a session advisory lock, internal/live) drains the
-- table every few milliseconds and sends the drained changes as before, {"k": kind, "p":
-- project, "ids": [...]} on the channel "live", many in one transaction: one turn on the
-- notification queue lock per drain instead of one per write.
--
-- The rows are deleted as they are drained; rows that no listener drained (no server running)
-- are dropped by the next drainer once older than a minute (internal/live).

CREATE TABLE live_changes (
    project_id uuid NOT NULL,
    id bigint GENERATED ALWAYS AS IDENTITY,
    kind text NOT NULL,
    ids uuid[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, id)
);

CREATE OR REPLACE FUNCTION live_invites_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO live_changes (project_id, kind, ids)
    SELECT g.p, 'invite', g.ids[c.first:c.first + 99]
    FROM (SELECT n.project_id AS p, array_agg(n.id) AS ids
          FROM live_new AS n WHERE n.project_id IS NOT NULL GROUP BY n.project_id) AS g,
         generate_series(1, cardinality(g.ids), 100) AS c (first);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION live_invites_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $q$
    INSERT INTO live_changes (project_id, kind, ids)
    SELECT g.p, 'invite', g.ids[c.first:c.first + 99]
    FROM (SELECT n.project_id AS p, array_agg(n.id) AS ids
          FROM live_new AS n JOIN live_old AS o ON o.id = n.id
          WHERE n.project_id IS NOT NULL
            AND (n.status, n.role, n.external_id, n.email, n.email_id, n.invitee_id)
                IS DISTINCT FROM (o.status, o.role, o.external_id, o.email, o.email_id, o.invitee_id)
          GROUP BY n.project_id) AS g,
         generate_series(1, cardinality(g.ids), 100) AS c (first)
    $q$;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION live_emails_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $q$
    INSERT INTO live_changes (project_id, kind, ids)
    SELECT g.p, 'invite', g.ids[c.first:c.first + 99]
    FROM (SELECT i.project_id AS p, array_agg(i.id) AS ids
          FROM live_new AS n JOIN live_old AS o ON o.id = n.id JOIN invites AS i ON i.email_id = n.id
          WHERE n.status IS DISTINCT FROM o.status AND i.project_id IS NOT NULL
          GROUP BY i.project_id) AS g,
         generate_series(1, cardinality(g.ids), 100) AS c (first)
    $q$;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION live_events_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO live_changes (project_id, kind, ids)
    SELECT g.p, 'activity', g.ids[c.first:c.first + 99]
    FROM (SELECT n.project_id AS p, array_agg(n.id) AS ids
          FROM live_new AS n WHERE n.project_id IS NOT NULL GROUP BY n.project_id) AS g,
         generate_series(1, cardinality(g.ids), 100) AS c (first);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION live_members_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $q$
    INSERT INTO live_changes (project_id, kind, ids)
    SELECT g.p, 'member', g.ids[c.first:c.first + 99]
    FROM (SELECT n.project_id AS p, array_agg(n.user_id) AS ids
          FROM live_new AS n JOIN live_old AS o ON o.id = n.id
          WHERE n.role IS DISTINCT FROM o.role
          GROUP BY n.project_id) AS g,
         generate_series(1, cardinality(g.ids), 100) AS c (first)
    $q$;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION live_members_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO live_changes (project_id, kind, ids)
    SELECT g.p, 'member', g.ids[c.first:c.first + 99]
    FROM (SELECT o.project_id AS p, array_agg(o.user_id) AS ids FROM live_old AS o GROUP BY o.project_id) AS g,
         generate_series(1, cardinality(g.ids), 100) AS c (first);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION live_join_requests_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO live_changes (project_id, kind, ids)
    SELECT g.p, 'join_request', g.ids[c.first:c.first + 99]
    FROM (SELECT n.project_id AS p, array_agg(n.id) AS ids FROM live_new AS n GROUP BY n.project_id) AS g,
         generate_series(1, cardinality(g.ids), 100) AS c (first);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION live_join_requests_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $q$
    INSERT INTO live_changes (project_id, kind, ids)
    SELECT g.p, 'join_request', g.ids[c.first:c.first + 99]
    FROM (SELECT n.project_id AS p, array_agg(n.id) AS ids
          FROM live_new AS n JOIN live_old AS o ON o.id = n.id
          WHERE n.status IS DISTINCT FROM o.status GROUP BY n.project_id) AS g,
         generate_series(1, cardinality(g.ids), 100) AS c (first)
    $q$;
    RETURN NULL;
END
$$;
