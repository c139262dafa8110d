-- The bulk invite that created an invite (SPEC §14, insights by batch): one ID per written
-- batch, shared by the invites it created; NULL for an invite sent on its own. Insights group
-- a project's invites by it, reading them by project_id as they do for the rest.
ALTER TABLE invites ADD COLUMN batch_id uuid;
