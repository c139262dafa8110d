-- Live updates of requests to join (Subscription.joinRequestChanged): a request made, or its
-- status changed (approved, denied, cancelled, expired), is published from its own
-- transaction as {"k": "join_request", "p": project, "ids": [...]}, chunked by 100 per
-- project as the other live triggers (20261129016000) do.
CREATE FUNCTION live_join_requests_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('live', json_build_object('k', 'join_request', 'p', g.p, 'ids', to_json(g.ids[c.first:c.first + 99]))::text)
    FROM (SELECT n.project_id AS p, array_agg(n.id) AS ids FROM live_new AS n GROUP BY n.project_id) AS g,
         generate_series(1, cardinality(g.ids), 100) AS c (first);
    RETURN NULL;
END
$$;

CREATE FUNCTION live_join_requests_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $q$
    SELECT pg_notify('live', json_build_object('k', 'join_request', 'p', g.p, 'ids', to_json(g.ids[c.first:c.first + 99]))::text)
    FROM (SELECT n.project_id AS p, array_agg(n.id) AS ids
          FROM live_new AS n JOIN live_old AS o ON o.id = n.id
          WHERE n.status IS DISTINCT FROM o.status GROUP BY n.project_id) AS g,
         generate_series(1, cardinality(g.ids), 100) AS c (first)
    $q$;
    RETURN NULL;
END
$$;

CREATE TRIGGER live_join_requests_inserted AFTER INSERT ON join_requests
    REFERENCING NEW TABLE AS live_new FOR EACH STATEMENT EXECUTE FUNCTION live_join_requests_inserted();
CREATE TRIGGER live_join_requests_updated AFTER UPDATE ON join_requests
    REFERENCING OLD TABLE AS live_old NEW TABLE AS live_new FOR EACH STATEMENT EXECUTE FUNCTION live_join_requests_updated();
