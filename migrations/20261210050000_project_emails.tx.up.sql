-- The emails about one project belong to it (docs/scaling.md, "The service project"):
-- 20261210001000 gave every email that no invite named to the service project, the welcome,
-- the delivery-failure digest, the lost-domain email and the decision on a request to join
-- among them. Since then the Go code writes them under their project; this moves the rows
-- written before, whatever their status (the send jobs find an email by its id alone), where
-- the row says which project:
--   * welcome, delivery_failed, domain_lost, and decisions queued before denials left out the
--     link: the link names the project (/projects/<id>...), if it still exists;
--   * join_request_decided without a link (denials): the one project of the recipient's
--     denied requests whose name is the email's params->>'project'.
-- Left under the service project: a denial whose project was renamed or deleted since, or
-- whose recipient has denied requests in two projects of that name; a row whose link names a
-- deleted project. The join-request digest (over several projects) and the accounts' emails
-- stay the service project's.
UPDATE emails AS e SET project_id = p.id
FROM projects AS p
WHERE e.project_id = '00000000-0000-0000-0000-000000000000'
  AND e.kind IN ('welcome', 'delivery_failed', 'domain_lost', 'join_request_decided')
  AND p.id::text = substring(e.link FROM '/projects/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[/?#]|$)')
  AND p.id <> '00000000-0000-0000-0000-000000000000';

UPDATE emails AS e SET project_id = d.project_id
FROM (SELECT e.id, min(jr.project_id::text)::uuid AS project_id
      FROM emails AS e
      JOIN users AS u ON u.email = e.recipient
      JOIN join_requests AS jr ON jr.user_id = u.id AND jr.status = 'DENIED'
      JOIN projects AS p ON p.id = jr.project_id AND p.name = e.params->>'project'
      WHERE e.project_id = '00000000-0000-0000-0000-000000000000' AND e.kind = 'join_request_decided'
      GROUP BY e.id
      HAVING count(DISTINCT jr.project_id) = 1) AS d
WHERE e.project_id = '00000000-0000-0000-0000-000000000000' AND e.id = d.id;

-- A delivery event is stored under its email's project.
UPDATE delivery_events AS d SET project_id = e.project_id
FROM emails AS e
WHERE d.project_id = '00000000-0000-0000-0000-000000000000' AND d.email_id = e.id
  AND e.project_id <> '00000000-0000-0000-0000-000000000000';
