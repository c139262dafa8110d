-- The live triggers that join a statement's old and new rows (live_invites_updated,
-- live_emails_updated, live_members_updated) now run their query with EXECUTE, so that it is
-- planned on every run with the transition tables' real row counts.
--
-- As static SQL in PL/pgSQL, a query without variables is planned once per session and the
-- plan kept: its row estimates are those of the transition tables at the first run. A session
-- whose first UPDATE of invites touched no row (a bulk invite's sweep of expired invites does
-- that every time) kept a nested loop that compares every new row with every old one; a bulk
-- re-upload that then moved 5,000 external IDs spent 2.5 s in each of its two UPDATEs comparing
-- 25 million pairs (EXPLAIN ANALYZE through auto_explain: "Rows Removed by Join Filter:
-- 25315992"), where a hash join takes a few milliseconds. Planning each run costs a fraction of
-- a millisecond. The triggers that read only the new rows have no join and keep static SQL.
--
-- What is published does not change: the queries are those of 20261129015000, word for word.

CREATE OR REPLACE FUNCTION live_invites_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $q$
    SELECT pg_notify('live', json_build_object('k', 'invite', 'p', p, 'ids', json_agg(id))::text)
    FROM (SELECT n.project_id AS p, n.id, (row_number() OVER (PARTITION BY n.project_id) - 1) / 100 AS chunk
          FROM live_new AS n JOIN live_old AS o ON o.id = n.id
          WHERE n.project_id IS NOT NULL
            AND (n.status, n.role, n.external_id, n.email, n.email_id, n.invitee_id)
                IS DISTINCT FROM (o.status, o.role, o.external_id, o.email, o.email_id, o.invitee_id)) AS r
    GROUP BY p, chunk
    $q$;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION live_emails_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $q$
    SELECT pg_notify('live', json_build_object('k', 'invite', 'p', p, 'ids', json_agg(id))::text)
    FROM (SELECT i.project_id AS p, i.id, (row_number() OVER (PARTITION BY i.project_id) - 1) / 100 AS chunk
          FROM live_new AS n JOIN live_old AS o ON o.id = n.id JOIN invites AS i ON i.email_id = n.id
          WHERE n.status IS DISTINCT FROM o.status AND i.project_id IS NOT NULL) AS r
    GROUP BY p, chunk
    $q$;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION live_members_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $q$
    SELECT pg_notify('live', json_build_object('k', 'member', 'p', p, 'ids', json_agg(id))::text)
    FROM (SELECT n.project_id AS p, n.user_id AS id, (row_number() OVER (PARTITION BY n.project_id) - 1) / 100 AS chunk
          FROM live_new AS n JOIN live_old AS o ON o.id = n.id
          WHERE n.role IS DISTINCT FROM o.role) AS r
    GROUP BY p, chunk
    $q$;
    RETURN NULL;
END
$$;
