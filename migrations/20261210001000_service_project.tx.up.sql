-- The service project (issue 25, docs/scaling.md "## The service project"): the nil UUID, a
-- row of projects that owns what belongs to no project, so that every distributed table keeps
-- the rule: project_id NOT NULL, in its primary key and every unique key, and paired in every
-- foreign key between distributed tables. It owns invites to the service alone with their
-- events and replaced tokens, their emails and delivery events, and accounts' emails
-- (verification, password reset). No one is its member: it shows nowhere a user sees
-- projects (internal/invites: invites.ServiceProjectID).
--
-- Existing rows are moved in order: add the columns, fill them, set NOT NULL, swap the keys.

INSERT INTO projects (id, name, created_at)
VALUES ('00000000-0000-0000-0000-000000000000', 'Service', now())
ON CONFLICT (id) DO NOTHING;

-- invites: NULL project (an invite to the service alone) becomes the service project. The
-- checks that said "no project" by NULL say it by the nil UUID.
ALTER TABLE invites DROP CONSTRAINT invites_role_with_project,
    DROP CONSTRAINT invites_external_id_with_project;
UPDATE invites SET project_id = '00000000-0000-0000-0000-000000000000' WHERE project_id IS NULL;
ALTER TABLE invites ALTER COLUMN project_id SET NOT NULL,
    ADD CONSTRAINT invites_role_with_project
        CHECK ((project_id = '00000000-0000-0000-0000-000000000000') = (role IS NULL)),
    ADD CONSTRAINT invites_external_id_with_project
        CHECK (project_id <> '00000000-0000-0000-0000-000000000000' OR external_id IS NULL);

-- replaced_invite_tokens: the project of its invite.
ALTER TABLE replaced_invite_tokens ADD COLUMN project_id uuid;
UPDATE replaced_invite_tokens AS r SET project_id = i.project_id FROM invites AS i WHERE i.id = r.invite_id;
ALTER TABLE replaced_invite_tokens ALTER COLUMN project_id SET NOT NULL,
    DROP CONSTRAINT replaced_invite_tokens_invite_id_fkey,
    DROP CONSTRAINT replaced_invite_tokens_pkey,
    ADD PRIMARY KEY (project_id, token_hash);
CREATE INDEX replaced_invite_tokens_token_hash_idx ON replaced_invite_tokens (token_hash);
DROP INDEX replaced_invite_tokens_invite_id_idx;
CREATE INDEX replaced_invite_tokens_invite_id_idx ON replaced_invite_tokens (project_id, invite_id);

-- emails: the project of the invite that sent it (the invite naming it now, else the project
-- its delivery events were stored under), the service project for the rest.
ALTER TABLE emails ADD COLUMN project_id uuid;
UPDATE emails AS e SET project_id = i.project_id FROM invites AS i WHERE i.email_id = e.id;
UPDATE emails AS e SET project_id = d.project_id FROM delivery_events AS d
WHERE e.project_id IS NULL AND d.email_id = e.id AND d.project_id IS NOT NULL;
UPDATE emails SET project_id = '00000000-0000-0000-0000-000000000000' WHERE project_id IS NULL;
ALTER TABLE invites DROP CONSTRAINT invites_email_id_fkey;
ALTER TABLE emails ALTER COLUMN project_id SET NOT NULL,
    DROP CONSTRAINT emails_pkey,
    ADD PRIMARY KEY (project_id, id);
CREATE INDEX emails_id_idx ON emails (id);

-- delivery_events: an event of an email no invite named when it came is its email's project's.
UPDATE delivery_events AS d SET project_id = e.project_id FROM emails AS e
WHERE d.project_id IS NULL AND e.id = d.email_id;
UPDATE delivery_events SET project_id = '00000000-0000-0000-0000-000000000000' WHERE project_id IS NULL;
ALTER TABLE delivery_events ALTER COLUMN project_id SET NOT NULL,
    DROP CONSTRAINT delivery_events_pkey,
    ADD PRIMARY KEY (project_id, id);
CREATE INDEX delivery_events_id_idx ON delivery_events (id);

-- activity_events: the events of invites to the service alone.
UPDATE activity_events SET project_id = '00000000-0000-0000-0000-000000000000' WHERE project_id IS NULL;
ALTER TABLE activity_events ALTER COLUMN project_id SET NOT NULL,
    DROP CONSTRAINT activity_events_pkey,
    ADD PRIMARY KEY (project_id, id);
CREATE INDEX activity_events_id_idx ON activity_events (id);

-- invites' keys: (project_id, id), token and pending email unique within a project (tokens
-- are random, so a token is found by its plain index alone).
ALTER TABLE invites DROP CONSTRAINT invites_pkey, ADD PRIMARY KEY (project_id, id);
CREATE INDEX invites_id_idx ON invites (id);
DROP INDEX invites_token_hash_key;
CREATE UNIQUE INDEX invites_token_hash_key ON invites (project_id, token_hash);
CREATE INDEX invites_token_hash_idx ON invites (token_hash);
DROP INDEX invites_pending_email_key;
CREATE UNIQUE INDEX invites_pending_email_key ON invites (project_id, email) WHERE status = 'PENDING';

-- Foreign keys pair project_id. An email deleted clears the invite's email_id alone.
ALTER TABLE invites ADD CONSTRAINT invites_email_id_fkey FOREIGN KEY (project_id, email_id)
    REFERENCES emails (project_id, id) ON DELETE SET NULL (email_id);
ALTER TABLE replaced_invite_tokens ADD CONSTRAINT replaced_invite_tokens_invite_id_fkey
    FOREIGN KEY (project_id, invite_id) REFERENCES invites (project_id, id) ON DELETE CASCADE;

-- The live triggers skipped invites and events of no project; they skip the service project's
-- now, and match an email's invite within the email's project.
CREATE OR REPLACE FUNCTION live_invites_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO live_changes (project_id, kind, ids)
    SELECT g.p, 'invite', g.ids[c.first:c.first + 99]
    FROM (SELECT n.project_id AS p, array_agg(n.id) AS ids
          FROM live_new AS n WHERE n.project_id <> '00000000-0000-0000-0000-000000000000'
          GROUP BY n.project_id) AS g,
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
          FROM live_new AS n JOIN live_old AS o ON o.project_id = n.project_id AND o.id = n.id
          WHERE n.project_id <> '00000000-0000-0000-0000-000000000000'
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
          FROM live_new AS n JOIN live_old AS o ON o.project_id = n.project_id AND o.id = n.id
              JOIN invites AS i ON i.project_id = n.project_id AND i.email_id = n.id
          WHERE n.status IS DISTINCT FROM o.status AND n.project_id <> '00000000-0000-0000-0000-000000000000'
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
          FROM live_new AS n WHERE n.project_id <> '00000000-0000-0000-0000-000000000000'
          GROUP BY n.project_id) AS g,
         generate_series(1, cardinality(g.ids), 100) AS c (first);
    RETURN NULL;
END
$$;
