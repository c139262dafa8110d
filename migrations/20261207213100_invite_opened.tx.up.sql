-- "Opened" (SPEC §14): when an invite's preview was first shown to someone holding its link.
-- The preview sets it once, by a conditional update (WHERE opened_at IS NULL), and records
-- "Viewed User Invite" in the same transaction; the unique index below holds that event to
-- one per invite whatever the code does (NULLS NOT DISTINCT: invites to the service have no
-- project). project_id leads it, as a project's data does (SPEC §18).
ALTER TABLE invites ADD COLUMN opened_at timestamptz;
CREATE UNIQUE INDEX activity_events_viewed_invite_key ON activity_events (project_id, invite_id)
    NULLS NOT DISTINCT WHERE name = 'Viewed User Invite';
