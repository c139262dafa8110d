// Package invites is the domain of the Invites server: accounts and sessions, projects and
// their members' roles, and invitations into them. It enforces every rule (validation,
// role-based authority, state changes) and stores its state with bun in PostgreSQL; each
// service method runs as one transaction, so a failed call writes nothing.
//
// Errors that a client can act on are *Error values with a Code; any other error is an
// outage or a bug, shown to clients only as INTERNAL.
//
// The operations are split by aggregate into services that share a core (core.go):
// AccountService (accounts.go, sessions.go, limits.go, recovery.go), ProjectService (projects.go,
// members.go, events.go), InviteService (invites.go, invites_create.go, invites_manage.go,
// claims.go), BulkService (bulk*.go, copy.go), LinkService (links.go), LookupService (nodes.go, lookup.go) and ConsoleService
// (bulk_actions.go, insights.go; search.go holds the lists' search, opened.go "Opened"); Service
// embeds them all. They are one package rather than one each because they call into each
// other's rules: signing up claims invites, a claim creates a membership, and every invite
// checks the inviter's membership; separate packages would need those rules exported or a
// package of shared internals, and the tests share their fixtures. What several services use
// has a file of its own: the rules of authority (authority.go), the validators of input
// (input.go), roles (role.go), errors (errors.go), the per-project lock (lock.go), external
// IDs (external_id.go), the inviter's quotas (quota.go), expiry (sweep.go), reminders before
// expiry (remind.go), pages (page.go). When a member's authority shrinks (removed, left,
// demoted), revokeOrphans (members.go) revokes what they could no longer send, in that call.
package invites
