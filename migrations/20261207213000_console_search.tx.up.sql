-- Server search of a project's members and invites (SPEC §14, issue 21): a case-insensitive
-- substring of an email, a name or an external ID, fast at 100,000 invites in one project.
-- Trigram GIN indexes (pg_trgm) answer `ILIKE '%term%'`; btree_gin lets project_id lead the
-- invites' and members' indexes, so that a search reads only the project's entries. Both
-- extensions ship with PostgreSQL (contrib) and are trusted: a database owner may create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- One expression per invite: email, name and external ID joined by U+001F (unit separator),
-- which a search term never holds (control characters are dropped from it), so that no match
-- spans two fields. internal/invites/search.go writes the same expression in its queries.
CREATE INDEX invites_search_idx ON invites USING gin (
    project_id,
    (email || E'\x1f' || coalesce(name, '') || E'\x1f' || coalesce(external_id, '')) gin_trgm_ops);

-- A member is found by their external ID here, or by their account's email or name (users are
-- not a project's data: that index has no project_id; the page joins back to the project's
-- members by (project_id, user_id)).
CREATE INDEX project_members_search_idx ON project_members USING gin (project_id, external_id gin_trgm_ops);
CREATE INDEX users_search_idx ON users USING gin ((email || E'\x1f' || name) gin_trgm_ops);
