-- The live triggers that run their query with EXECUTE (planned on every run, see
-- 20261129016000) return at once when their statement changed no row. A statement-level
-- trigger fires even then: createInvite's check statement expires the invites in its way by an
-- UPDATE that almost always finds none, and planning the trigger's join for nothing cost about
-- a millisecond of the database's CPU per invite (pg_stat_statements, issue 25). The test of
-- an empty transition table is static SQL, planned once per session.
--
-- The functions' bodies are other migrations' (and may change again before this one runs): the
-- test is put in front of whatever body stands, so that this migration composes with them.
DO $$
DECLARE
    fn text;
    def text;
BEGIN
    FOREACH fn IN ARRAY ARRAY['live_invites_updated', 'live_emails_updated', 'live_members_updated', 'live_join_requests_updated'] LOOP
        SELECT pg_get_functiondef(p.oid) INTO STRICT def FROM pg_proc AS p
            WHERE p.proname = fn AND p.pronamespace = current_schema()::regnamespace;
        IF def !~ '\mBEGIN\s+EXECUTE\M' THEN
            RAISE EXCEPTION '%: its body no longer starts with EXECUTE', fn;
        END IF;
        EXECUTE regexp_replace(def, '\mBEGIN\M',
            E'BEGIN\n    IF NOT EXISTS (SELECT FROM live_new) THEN\n        RETURN NULL;\n    END IF;');
    END LOOP;
END
$$;
