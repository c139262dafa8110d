CREATE TABLE projects (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE project_members (
    id          uuid PRIMARY KEY,
    project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('PENDING', 'CONTRIBUTOR', 'ADMIN', 'OWNER')),
    external_id text,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT project_members_project_user_key UNIQUE (project_id, user_id)
);
CREATE INDEX project_members_user_id_idx ON project_members (user_id);
-- A project has exactly one OWNER: the database refuses a second one whatever the race.
CREATE UNIQUE INDEX project_members_one_owner_key ON project_members (project_id) WHERE role = 'OWNER';
