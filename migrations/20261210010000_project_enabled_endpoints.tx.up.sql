-- A project's count of enabled webhook endpoints, kept by a trigger in the transaction that
-- changes them, so that createInvite and acceptInvite can skip the webhook deliveries'
-- statement (a join of seven tables, their heaviest) where no endpoint would get one.
--
-- Why the count is safe against an endpoint enabled at the same time: createInvite reads it
-- with the project's row locked FOR SHARE, acceptInvite after taking that lock; the trigger
-- updates the project's row, which waits for every transaction sharing that lock to commit, and
-- makes those that ask for it later wait for its own commit, then read the new count. So an
-- endpoint enabled while an invite is written either commits after the invite does, or before
-- the invite's transaction read the count (and then gets its delivery). The endpoints' own
-- writes (internal/webhooks) lock the project's row first, as this trigger does, so that it
-- is always taken before an endpoint's row (the deliveries' foreign key locks the latter).
ALTER TABLE projects ADD COLUMN enabled_webhook_endpoints integer NOT NULL DEFAULT 0;

UPDATE projects AS p SET enabled_webhook_endpoints = n.count
    FROM (SELECT project_id, count(*) AS count FROM webhook_endpoints WHERE enabled GROUP BY project_id) AS n
    WHERE n.project_id = p.id;

-- Adds and takes away rather than counting again: a count taken in a snapshot older than a
-- concurrent change would miss it, while an increment applies to the newest row it waited for.
CREATE FUNCTION count_enabled_webhook_endpoints() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.enabled = NEW.enabled AND OLD.project_id = NEW.project_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.enabled THEN
        UPDATE projects SET enabled_webhook_endpoints = enabled_webhook_endpoints - 1 WHERE id = OLD.project_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.enabled THEN
        UPDATE projects SET enabled_webhook_endpoints = enabled_webhook_endpoints + 1 WHERE id = NEW.project_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER webhook_endpoints_counted AFTER INSERT OR DELETE OR UPDATE OF enabled, project_id ON webhook_endpoints
    FOR EACH ROW EXECUTE FUNCTION count_enabled_webhook_endpoints();
