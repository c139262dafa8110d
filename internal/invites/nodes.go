package invites

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Global object identification (Relay's `node`). An ID is the row's UUID, as every other
// argument takes it: every table's IDs come from newID (UUIDv7: a time and 74 random bits), so
// one ID names at most one row of all tables, and the row's table gives its type. One query
// finds the tables of a batch of IDs; one more per type reads the rows the viewer may see,
// under the rules that decide everywhere else what a viewer sees.

// MaxNodes is the most IDs one `nodes` call may name.
const MaxNodes = 100

// The node types, as nodeKinds names them.
const (
	kindUser    = "user"
	kindProject = "project"
	kindMember  = "member"
	kindInvite  = "invite"
	kindEvent   = "event"
	kindLink    = "link"
)

// Nodes returns what the viewer may see of the objects that ids name, in the same order: a
// *User, *Project, *Member, *Invite, *Event, *InviteLink, *ProjectDomain or *JoinRequest, or nil where an ID is not one of
// ours (not a UUID as the API writes them, or naming nothing) or names what the viewer may not
// see. An anonymous viewer (nil) sees nothing.
//
// Errors: BAD_USER_INPUT (ids: more than MaxNodes).
func (s *LookupService) Nodes(ctx context.Context, viewer *User, ids []string) ([]any, error) {
	if len(ids) > MaxNodes {
		return nil, invalid("ids", "at most %d ids at once", MaxNodes)
	}
	out := make([]any, len(ids))
	if viewer == nil {
		return out, nil
	}
	// Only an ID as the API writes it (a UUID in lower case) is one of ours.
	parsed := make([]uuid.UUID, len(ids))
	var valid []uuid.UUID
	for i, id := range ids {
		if u, err := uuid.Parse(id); err == nil && u.String() == id {
			parsed[i] = u
			valid = append(valid, u)
		}
	}
	found, err := s.nodesByID(ctx, viewer, valid)
	if err != nil {
		return nil, err
	}
	for i, u := range parsed {
		out[i] = found[u]
	}
	return out, nil
}

// nodesByID returns, by ID, what the viewer may see among ids.
func (s *core) nodesByID(ctx context.Context, viewer *User, ids []uuid.UUID) (map[uuid.UUID]any, error) {
	out := map[uuid.UUID]any{}
	if len(ids) == 0 {
		return out, nil
	}
	kinds, err := s.nodeKinds(ctx, ids)
	if err != nil {
		return nil, err
	}
	readers := []struct {
		kind string
		read func(context.Context, *User, []string) (map[uuid.UUID]any, error)
	}{
		{kindUser, s.visibleUsers},
		{kindProject, s.visibleProjects},
		{kindMember, s.visibleMembers},
		{kindInvite, s.visibleInvites},
		{kindEvent, s.visibleEvents},
		{kindLink, s.visibleLinks},
		{kindDomain, s.visibleDomains},
		{kindJoinRequest, s.visibleJoinRequests},
	}
	for _, r := range readers {
		if len(kinds[r.kind]) == 0 {
			continue
		}
		found, err := r.read(ctx, viewer, kinds[r.kind])
		if err != nil {
			return nil, err
		}
		for id, n := range found {
			out[id] = n
		}
	}
	return out, nil
}

// nodeKinds finds the table of each ID in one query, as lists of IDs by kind.
func (s *core) nodeKinds(ctx context.Context, ids []uuid.UUID) (map[string][]string, error) {
	var rows []struct {
		ID   uuid.UUID `bun:"id"`
		Kind string    `bun:"kind"`
	}
	err := s.read(ctx).NewRaw(`
		SELECT id, 'user' AS kind FROM users WHERE id = ANY(?0::uuid[])
		UNION ALL SELECT id, 'project' FROM projects WHERE id = ANY(?0::uuid[]) AND id <> `+serviceProjectSQL+`
		UNION ALL SELECT id, 'member' FROM project_members WHERE id = ANY(?0::uuid[])
		UNION ALL SELECT id, 'invite' FROM invites WHERE id = ANY(?0::uuid[])
		UNION ALL SELECT id, 'event' FROM activity_events WHERE id = ANY(?0::uuid[])
		UNION ALL SELECT id, 'link' FROM invite_links WHERE id = ANY(?0::uuid[])
		UNION ALL SELECT id, 'domain' FROM project_domains WHERE id = ANY(?0::uuid[])
		UNION ALL SELECT id, 'join_request' FROM join_requests WHERE id = ANY(?0::uuid[])`,
		pgdialect.Array(idStrings(ids))).Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.Kind] = append(out[r.Kind], r.ID.String())
	}
	return out, nil
}

// rolesFrom lists min and the roles above it, for SQL's IN.
func rolesFrom(min Role) any {
	var out []Role
	for _, r := range roles {
		if r.AtLeast(min) {
			out = append(out, r)
		}
	}
	return bun.In(out)
}

// viewerHasRole is an SQL condition: the viewer has at least min in the project named by the
// column projectCol.
func viewerHasRole(projectCol string, viewer uuid.UUID, min Role) (string, []any) {
	return "EXISTS (SELECT 1 FROM project_members AS vm WHERE vm.project_id = " + projectCol +
		" AND vm.user_id = ? AND vm.role IN (?))", []any{viewer, rolesFrom(min)}
}

// visibleProjects: a project is seen by its members, of any role (as `project(id:)`).
func (s *core) visibleProjects(ctx context.Context, viewer *User, ids []string) (map[uuid.UUID]any, error) {
	var list []*Project
	if err := s.viewerProjects(s.read(ctx), viewer.ID).Where("p.id = ANY(?::uuid[])", pgdialect.Array(ids)).Scan(ctx, &list); err != nil {
		return nil, err
	}
	return byID(list, func(p *Project) uuid.UUID { return p.ID }), nil
}

// visibleMembers: a membership is seen by CONTRIBUTOR and above of its project (as `members`)
// and by the member; its external ID by ADMIN and above and by the member.
func (s *core) visibleMembers(ctx context.Context, viewer *User, ids []string) (map[uuid.UUID]any, error) {
	var list []*struct {
		Member     `bun:",extend"`
		ViewerRole *Role `bun:"viewer_role,scanonly"`
	}
	err := s.read(ctx).NewSelect().Model(&list).ColumnExpr("m.*").ColumnExpr("vm.role AS viewer_role").
		Join("LEFT JOIN project_members AS vm ON vm.project_id = m.project_id AND vm.user_id = ?", viewer.ID).
		Where("m.id = ANY(?::uuid[])", pgdialect.Array(ids)).
		Where("m.user_id = ? OR vm.role IN (?)", viewer.ID, rolesFrom(MinRoleToListMembers)).Scan(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]any, len(list))
	for _, row := range list {
		m := row.Member
		if !CanSeeExternalID(viewer.ID, row.ViewerRole, m.UserID) {
			m.ExternalID = nil
		}
		out[m.ID] = &m
	}
	return out, nil
}

// visibleInvites: an invite is seen by ADMIN and above of its project (as `invites`), by its
// invitee and by the owner of the verified email it was sent to (as `myInvites`), and an
// invite to the service by its inviter (who may revoke it).
func (s *core) visibleInvites(ctx context.Context, viewer *User, ids []string) (map[uuid.UUID]any, error) {
	admin, args := viewerHasRole("i.project_id", viewer.ID, MinRoleToListInvites)
	var list []*Invite
	err := selectInvites(s.read(ctx)).Where("i.id = ANY(?::uuid[])", pgdialect.Array(ids)).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(admin, args...).
				WhereOr("i.invitee_id = ?", viewer.ID).
				WhereOr("? AND i.email = ?", viewer.EmailVerified(), viewer.Email).
				WhereOr("i.project_id = "+serviceProjectSQL+" AND i.inviter_id = ?", viewer.ID)
		}).Scan(ctx, &list)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, inv := range list {
		inv.settle(now)
	}
	return byID(list, func(inv *Invite) uuid.UUID { return inv.ID }), nil
}

// visibleEvents: an event is seen by ADMIN and above of its project (as `activity`).
func (s *core) visibleEvents(ctx context.Context, viewer *User, ids []string) (map[uuid.UUID]any, error) {
	admin, args := viewerHasRole("ev.project_id", viewer.ID, MinRoleToReadActivity)
	var list []*Event
	err := s.read(ctx).NewSelect().Model(&list).Where("ev.id = ANY(?::uuid[])", pgdialect.Array(ids)).
		Where(admin, args...).Scan(ctx)
	if err != nil {
		return nil, err
	}
	return byID(list, func(e *Event) uuid.UUID { return e.ID }), nil
}

// visibleLinks: an invite link is seen by ADMIN and above of its project (as `inviteLinks`).
func (s *core) visibleLinks(ctx context.Context, viewer *User, ids []string) (map[uuid.UUID]any, error) {
	admin, args := viewerHasRole("l.project_id", viewer.ID, MinRoleToListInviteLinks)
	var list []*InviteLink
	err := s.read(ctx).NewSelect().Model(&list).Where("l.id = ANY(?::uuid[])", pgdialect.Array(ids)).
		Where(admin, args...).Scan(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, l := range list {
		l.settle(now)
	}
	return byID(list, func(l *InviteLink) uuid.UUID { return l.ID }), nil
}

// visibleUsers: a user is seen where the API shows them to the viewer: the viewer themselves;
// the members of a project where the viewer is CONTRIBUTOR or above; for ADMIN and above of a
// project, the inviters and invitees of its invites and the actors of its events; and the
// inviters and invitees of the invites the viewer sees as their invitee or inviter.
func (s *core) visibleUsers(ctx context.Context, viewer *User, ids []string) (map[uuid.UUID]any, error) {
	coMember, coArgs := viewerHasRole("um.project_id", viewer.ID, MinRoleToListMembers)
	inviteAdmin, inviteArgs := viewerHasRole("i.project_id", viewer.ID, MinRoleToListInvites)
	eventAdmin, eventArgs := viewerHasRole("ev.project_id", viewer.ID, MinRoleToReadActivity)
	var list []*User
	err := s.read(ctx).NewSelect().Model(&list).Where("u.id = ANY(?::uuid[])", pgdialect.Array(ids)).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("u.id = ?", viewer.ID).
				WhereOr("EXISTS (SELECT 1 FROM project_members AS um WHERE um.user_id = u.id AND "+coMember+")", coArgs...).
				WhereOr("EXISTS (SELECT 1 FROM invites AS i WHERE (i.inviter_id = u.id OR i.invitee_id = u.id) AND "+inviteAdmin+")", inviteArgs...).
				WhereOr("EXISTS (SELECT 1 FROM activity_events AS ev WHERE ev.actor_id = u.id AND "+eventAdmin+")", eventArgs...).
				WhereOr(`EXISTS (SELECT 1 FROM invites AS i WHERE (i.inviter_id = u.id OR i.invitee_id = u.id)
					AND (i.invitee_id = ? OR (? AND i.email = ?) OR (i.project_id = `+serviceProjectSQL+` AND i.inviter_id = ?)))`,
					viewer.ID, viewer.EmailVerified(), viewer.Email, viewer.ID)
		}).Scan(ctx)
	if err != nil {
		return nil, err
	}
	return byID(list, func(u *User) uuid.UUID { return u.ID }), nil
}

func byID[T any](list []*T, id func(*T) uuid.UUID) map[uuid.UUID]any {
	out := make(map[uuid.UUID]any, len(list))
	for _, it := range list {
		out[id(it)] = it
	}
	return out
}
