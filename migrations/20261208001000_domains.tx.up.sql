-- A project's domains (SPEC §16): added by an ADMIN, verified by a DNS TXT record
-- (_invites-challenge.<domain> holding token), with a policy for people whose verified email is
-- there. A subdomain is its own row: a parent does not cover it.
CREATE TABLE project_domains (
    id           uuid PRIMARY KEY,
    project_id   uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    domain       text NOT NULL,
    token        text NOT NULL,
    verified_at  timestamptz,
    checked_at   timestamptz,
    policy       text NOT NULL DEFAULT 'OFF' CHECK (policy IN ('OFF', 'SUGGEST', 'REQUEST', 'AUTO')),
    default_role text NOT NULL DEFAULT 'CONTRIBUTOR' CHECK (default_role IN ('CONTRIBUTOR', 'ADMIN')),
    created_by   uuid,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT project_domains_project_domain_key UNIQUE (project_id, domain),
    -- A policy other than OFF needs a verified domain.
    CONSTRAINT project_domains_policy_verified CHECK (policy = 'OFF' OR verified_at IS NOT NULL)
);
-- joinableProjects and the claims look domains up by name.
CREATE INDEX project_domains_domain_idx ON project_domains (domain) WHERE verified_at IS NOT NULL;
-- The daily re-check walks the verified domains.
CREATE INDEX project_domains_verified_idx ON project_domains (checked_at) WHERE verified_at IS NOT NULL;
