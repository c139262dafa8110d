-- Every collection a user can grow is bounded (SPEC §7, issue 19): the caps are counted by the
-- code under locks (internal/invites/caps.go, internal/webhooks/endpoints.go); here are what
-- the table keeps whatever code does, and what the sweep needs.

-- An endpoint's URL is at most 2,048 bytes (webhooks.MaxURLLength), so that a listing of a
-- project's endpoints is small. URLs were refused over it at registration only since the cap
-- came in; an endpoint stored before with a longer one (3 MiB ones were, to blow up the
-- listing) is deleted with its deliveries: no receiver's address is that long.
DELETE FROM webhook_endpoints WHERE octet_length(url) > 2048;
ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_url_length CHECK (octet_length(url) <= 2048);

-- The sweep deletes invite links INVITE_RETENTION after their expiry; until then they count
-- against their project's INVITE_LINK_LIMIT.
CREATE INDEX invite_links_expires_at_idx ON invite_links (expires_at);
