-- restrictToDomains (SPEC §16): every way into the project refuses emails outside its verified
-- domains. default_locale is what updateProject also writes (SPEC §17; IF NOT EXISTS: the
-- languages' migration adds it too).
ALTER TABLE projects ADD COLUMN restrict_to_domains boolean NOT NULL DEFAULT false;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS default_locale text;
