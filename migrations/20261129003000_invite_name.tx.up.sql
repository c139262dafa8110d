-- The invitee's name as the inviter gave it (a bulk invite's name column), offered on the
-- invite page as the sign-up name. NULL when none was given; never blank, as the service
-- stores a blank name as none.
ALTER TABLE invites ADD COLUMN name text
    CONSTRAINT invites_name_not_blank CHECK (name IS NULL OR (btrim(name) <> '' AND char_length(name) <= 200));
