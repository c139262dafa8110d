-- A project's data is distributable by project (SPEC §18, docs/scaling.md): project_id leads the
-- primary key and every unique key of a project's table, and the foreign keys between two
-- project tables pair their project_id, so that Citus can keep each project's rows together on
-- one node. migrations/distribution_test.go checks it. Here, the tables that already carry a
-- NOT NULL project_id are brought to the rule; the rows are kept as they are. The API still
-- names these rows by id alone: a plain index on id serves those look-ups (random UUIDs do not
-- collide, and every row is created with a fresh one).

-- Members: nothing refers to project_members (id).
ALTER TABLE project_members DROP CONSTRAINT project_members_pkey;
ALTER TABLE project_members ADD PRIMARY KEY (project_id, id);
CREATE INDEX project_members_id_idx ON project_members (id);

-- Invite links: a link is opened by its token alone, so the token's index stays for that
-- look-up (a query to every shard under Citus, by an index on each; docs/scaling.md), but is
-- unique within the project only: a token is 256 random bits.
-- join_requests (20261208002000) names its link by id alone: its foreign key moves to the
-- composite key, setting only link_id to NULL when the link goes (PostgreSQL 15's column list).
ALTER TABLE join_requests DROP CONSTRAINT join_requests_link_id_fkey;
ALTER TABLE invite_links DROP CONSTRAINT invite_links_pkey;
ALTER TABLE invite_links ADD PRIMARY KEY (project_id, id);
ALTER TABLE join_requests ADD CONSTRAINT join_requests_link_id_fkey FOREIGN KEY (project_id, link_id)
    REFERENCES invite_links (project_id, id) ON DELETE SET NULL (link_id);
-- join_requests are a project's data like the rest: keyed by (project_id, id), id still indexed
-- for the API's look-ups by ID.
ALTER TABLE join_requests DROP CONSTRAINT join_requests_pkey;
ALTER TABLE join_requests ADD PRIMARY KEY (project_id, id);
CREATE INDEX join_requests_id_idx ON join_requests (id);
CREATE INDEX invite_links_id_idx ON invite_links (id);
DROP INDEX invite_links_token_hash_key;
CREATE UNIQUE INDEX invite_links_project_id_token_hash_key ON invite_links (project_id, token_hash);
CREATE INDEX invite_links_token_hash_idx ON invite_links (token_hash);

-- Webhooks: a delivery carries its endpoint's project, and refers to the endpoint by
-- (project_id, endpoint_id), so that a project's endpoints and deliveries stay together.
ALTER TABLE webhook_deliveries ADD COLUMN project_id uuid;
UPDATE webhook_deliveries AS wd SET project_id = ep.project_id
    FROM webhook_endpoints AS ep WHERE ep.id = wd.endpoint_id;
ALTER TABLE webhook_deliveries ALTER COLUMN project_id SET NOT NULL;
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_endpoint_id_fkey;
ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_pkey;
ALTER TABLE webhook_endpoints ADD PRIMARY KEY (project_id, id);
CREATE INDEX webhook_endpoints_id_idx ON webhook_endpoints (id);
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_endpoint_fkey
    FOREIGN KEY (project_id, endpoint_id) REFERENCES webhook_endpoints (project_id, id) ON DELETE CASCADE;
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_pkey;
ALTER TABLE webhook_deliveries ADD PRIMARY KEY (project_id, id);
CREATE INDEX webhook_deliveries_id_idx ON webhook_deliveries (id);

-- Domains: nothing refers to project_domains (id).
ALTER TABLE project_domains DROP CONSTRAINT project_domains_pkey;
ALTER TABLE project_domains ADD PRIMARY KEY (project_id, id);
CREATE INDEX project_domains_id_idx ON project_domains (id);
