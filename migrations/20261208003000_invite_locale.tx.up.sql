-- Languages (SPEC §17): the locale an invite's emails and pages are written in (kept by resends
-- and reminders), the inviter's note, the project's default locale for invites that name none
-- (written by updateProject), and the locale of an account, for the emails written to it.
ALTER TABLE invites ADD COLUMN IF NOT EXISTS locale text NOT NULL DEFAULT 'en';
ALTER TABLE invites ADD COLUMN IF NOT EXISTS note text;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS default_locale text;
ALTER TABLE users ADD COLUMN IF NOT EXISTS locale text;
