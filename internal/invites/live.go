package invites

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// The reads of live updates (subscriptions): a notification names the IDs that changed (see
// internal/live). WatchedInvites and WatchedEvents check a viewer's authority when it
// subscribes; after that the fan-out re-checks every subscribed viewer at each change in one
// statement (LiveStandings), so that a viewer demoted or removed gets nothing more, and reads
// what changed once for them all (LiveInvites, LiveEvents).

// WatchedInvites returns those of ids that are the project's invites, oldest first, as the
// viewer may see them now; with no ids it only checks the viewer's authority.
//
// Errors: NOT_FOUND (not a member), FORBIDDEN (below ADMIN).
func (s *InviteService) WatchedInvites(ctx context.Context, viewer, projectID uuid.UUID, ids []uuid.UUID) ([]*Invite, error) {
	if _, err := requireRole(ctx, s.db, projectID, viewer, MinRoleToWatchInvites); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var list []*Invite
	err := selectInvites(s.db).Where("i.project_id = ?", projectID).Where("i.id = ANY(?::uuid[])", pgdialect.Array(ids)).
		OrderExpr("i.created_at, i.id").Scan(ctx, &list)
	if err != nil {
		return nil, err
	}
	for _, inv := range list {
		inv.settle(s.now())
	}
	return list, nil
}

// WatchedEvents returns those of ids that are the project's tracked events, oldest first; with
// no ids it only checks the viewer's authority.
//
// Errors: NOT_FOUND (not a member), FORBIDDEN (below ADMIN).
func (s *ProjectService) WatchedEvents(ctx context.Context, viewer, projectID uuid.UUID, ids []uuid.UUID) ([]*Event, error) {
	if _, err := requireRole(ctx, s.db, projectID, viewer, MinRoleToWatchActivity); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var list []*Event
	err := s.db.NewSelect().Model(&list).Where("ev.project_id = ?", projectID).Where("ev.id = ANY(?::uuid[])", pgdialect.Array(ids)).
		OrderExpr("ev.created_at, ev.id").Scan(ctx)
	if err != nil {
		return nil, err
	}
	return list, nil
}

// The fan-out of live updates (graph's fanout.go) reads each change once for all the
// subscribers of a project, not once per subscriber: LiveStandings re-checks every subscribed
// viewer's authority in one statement, and LiveInvites and LiveEvents read what changed once.

// Standing is a watching session's standing now: its user and that user's role in the project
// (empty when not a member).
type Standing struct {
	User uuid.UUID
	Role Role
}

// SessionKey is the key of a session token in LiveStandings (its hash, as sessions store it).
func SessionKey(token string) string { return string(hashToken(token)) }

// liveStandingsSQL reads, for a set of session token hashes, each unexpired session's user and
// that user's role in one project, in one statement whatever the number of subscribers.
const liveStandingsSQL = `SELECT s.token_hash, s.user_id, COALESCE(m.role, '')
FROM sessions AS s LEFT JOIN project_members AS m ON m.user_id = s.user_id AND m.project_id = $1
WHERE s.token_hash = ANY($2) AND s.expires_at > $3`

// LiveStandings returns the standing of each of the sessions keyed by SessionKey that is still
// valid; a session logged out or expired is missing from the answer.
func (s *AccountService) LiveStandings(ctx context.Context, projectID uuid.UUID, keys []string) (map[string]Standing, error) {
	hashes := make([][]byte, len(keys))
	for i, k := range keys {
		hashes[i] = []byte(k)
	}
	rows, err := s.db.DB.QueryContext(ctx, liveStandingsSQL, projectID, hashes, s.now())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]Standing, len(keys))
	for rows.Next() {
		var hash []byte
		var st Standing
		if err := rows.Scan(&hash, &st.User, &st.Role); err != nil {
			return nil, err
		}
		out[string(hash)] = st
	}
	return out, rows.Err()
}

// LiveInvites returns those of ids that are the project's invites, oldest first, for every
// subscriber whose standing LiveStandings has checked.
func (s *LookupService) LiveInvites(ctx context.Context, projectID uuid.UUID, ids []uuid.UUID) ([]*Invite, error) {
	var list []*Invite
	err := selectInvites(s.db).Where("i.project_id = ?", projectID).Where("i.id = ANY(?::uuid[])", pgdialect.Array(ids)).
		OrderExpr("i.created_at, i.id").Scan(ctx, &list)
	for _, inv := range list {
		inv.settle(s.now())
	}
	return list, err
}

// LiveEvents returns those of ids that are the project's tracked events, oldest first, for
// every subscriber whose standing LiveStandings has checked.
func (s *LookupService) LiveEvents(ctx context.Context, projectID uuid.UUID, ids []uuid.UUID) ([]*Event, error) {
	var list []*Event
	err := s.db.NewSelect().Model(&list).Where("ev.project_id = ?", projectID).Where("ev.id = ANY(?::uuid[])", pgdialect.Array(ids)).
		OrderExpr("ev.created_at, ev.id").Scan(ctx)
	return list, err
}
