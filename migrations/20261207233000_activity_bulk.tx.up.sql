-- The role a join through an invite link granted (the link's, which the link may no longer
-- show once withdrawn), so that the activity can say "Bob joined as Contributor through an
-- invite link"; NULL on other events.
ALTER TABLE activity_events ADD COLUMN role text;

-- A bulk invite's own tracked event ("Bulk Invited", one per written batch): how many
-- invitations it sent and the uploaded file's name, so that the activity can say "Ada invited
-- 189 people from people.csv" in one line. NULL on every other event.
ALTER TABLE activity_events ADD COLUMN invitations integer, ADD COLUMN file_name text;
