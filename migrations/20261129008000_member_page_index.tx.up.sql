-- A project's members are paged newest first by (created_at, id), like its invites and its
-- activity, whose indexes serve both the ordered page and the count of the project's rows.
-- The members had only (project_id, user_id): every page read and sorted all of a project's
-- members.
CREATE INDEX project_members_project_id_created_at_idx ON project_members (project_id, created_at DESC, id DESC);
