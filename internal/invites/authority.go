package invites

import "github.com/google/uuid"

// Every authority decision of the domain is a pure function in this file, used by the single
// and the bulk paths alike. A decision that a single call can refuse returns nil or the
// FORBIDDEN *Error saying why, its message written here once; the bulk path, which reports a
// refusal as a row's ROLE_NOT_ALLOWED instead, asks the same function and words the row's
// message with the row* functions below.

// CanActOn is the one authority rule: only ADMIN and OWNER act on others, and only on roles
// strictly below their own. It decides who may invite someone as target, promote or demote
// someone to or from target, remove a member with role target, and revoke or resend an invite
// granting target. So an ADMIN acts on PENDING and CONTRIBUTOR, an OWNER on ADMIN too, and
// nobody grants OWNER (that takes transferOwnership).
func CanActOn(actor, target Role) bool {
	return actor.AtLeast(RoleAdmin) && target.Valid() && actor.rank() > target.rank()
}

// The minimum role in a project of each read and action that needs one. A non-member gets
// NOT_FOUND rather than FORBIDDEN (see requireRole), so that they learn nothing of the project.
const (
	// MinRoleToListMembers reads `members` and sees other members' accounts.
	MinRoleToListMembers = RoleContributor
	// MinRoleToListInvites reads `invites` and sees the people of the project's invites.
	MinRoleToListInvites = RoleAdmin
	// MinRoleToReadActivity reads `activity` and sees the actors of its events.
	MinRoleToReadActivity = RoleAdmin
	// MinRoleToWatchInvites subscribes to `inviteChanged`, and keeps receiving it.
	MinRoleToWatchInvites = MinRoleToListInvites
	// MinRoleToWatchActivity subscribes to `activityAdded`, and keeps receiving it.
	MinRoleToWatchActivity = MinRoleToReadActivity
	// MinRoleToInvite sends invites, one (createInvite) or many (bulkInvite).
	MinRoleToInvite = RoleAdmin
	// MinRoleToListInviteLinks reads `inviteLinks` and sees the project's invite links.
	MinRoleToListInviteLinks = RoleAdmin
	// MinRoleToSeeExternalIDs sees every member's external ID (a member sees their own).
	MinRoleToSeeExternalIDs = RoleAdmin
	// MinRoleToManageWebhooks registers, changes, rotates and removes a project's webhook
	// endpoints, reads them and their delivery logs, and retries a delivery (internal/webhooks).
	MinRoleToManageWebhooks = RoleAdmin
)

// HasMinRole decides whether a member with role may do what needs min.
func HasMinRole(role, min Role) error {
	if !role.AtLeast(min) {
		return Errorf(Forbidden, "this needs the %s role or higher in the project", min)
	}
	return nil
}

// CanSeeExternalID reports whether viewer, whose role in the project is viewerRole (nil: not
// a member), sees the external ID of holder's membership: ADMIN and above see every one, a
// member their own.
func CanSeeExternalID(viewer uuid.UUID, viewerRole *Role, holder uuid.UUID) bool {
	return viewer == holder || (viewerRole != nil && viewerRole.AtLeast(MinRoleToSeeExternalIDs))
}

// CanInvite decides whether actor may invite someone as role (createInvite, a bulk row, and
// at claim time the inviter's standing).
func CanInvite(actor, role Role) error {
	return grantRefusal(actor, role, "invite")
}

// CanManageInvite decides whether actor may revoke, resend or (in a bulk row) change a pending
// invite that grants role.
func CanManageInvite(actor, grants Role) error {
	if !CanActOn(actor, grants) {
		return Errorf(Forbidden, "as %s you may not act on an invite that grants %s", actor, grants)
	}
	return nil
}

// CanCreateInviteLink decides whether actor may make an invite link that admits people as
// role, and, at each join, whether the link's creator still could (if not, the link is
// revoked).
func CanCreateInviteLink(actor, role Role) error {
	return grantRefusal(actor, role, "make invite links")
}

// grantRefusal is the FORBIDDEN error of an actor who may not do what grants role (invite,
// make invite links), naming the role asked for; nil when CanActOn allows it.
func grantRefusal(actor, role Role, what string) error {
	switch {
	case CanActOn(actor, role):
		return nil
	case !actor.AtLeast(RoleAdmin):
		return Errorf(Forbidden, "as %s you may not %s (%s was asked): only an ADMIN or OWNER may, with a role below their own", actor, what, role)
	default:
		return Errorf(Forbidden, "as %s you may not %s as %s: only with a role below %s", actor, what, role, actor)
	}
}

// CanManageInviteLink decides whether actor may revoke an invite link that grants role:
// whoever could create it now.
func CanManageInviteLink(actor, grants Role) error {
	if !CanActOn(actor, grants) {
		return Errorf(Forbidden, "as %s you may not act on an invite link that grants %s", actor, grants)
	}
	return nil
}

// CanChangeRole decides whether actor may give target the role: nobody changes their own.
func CanChangeRole(actor, target *Member, role Role) error {
	if actor.UserID == target.UserID {
		return Errorf(Forbidden, "nobody changes their own role")
	}
	if err := canChangeMember(actor, target); err != nil {
		return err
	}
	if !CanActOn(actor.Role, role) {
		return Errorf(Forbidden, "as %s you may not make anyone %s", actor.Role, role)
	}
	return nil
}

// CanSetExternalID decides whether actor may set target's external ID (updateMember and a bulk
// row naming a member): as any change of a member, under the authority rule, and an ADMIN or
// OWNER may set their own.
func CanSetExternalID(actor, target *Member) error {
	if actor.UserID == target.UserID {
		if !actor.Role.AtLeast(RoleAdmin) {
			return Errorf(Forbidden, "only an ADMIN or OWNER sets their own external ID")
		}
		return nil
	}
	return canChangeMember(actor, target)
}

// canChangeMember decides whether actor may change another member, target.
func canChangeMember(actor, target *Member) error {
	if !CanActOn(actor.Role, target.Role) {
		return Errorf(Forbidden, "as %s you may not change a member who is %s", actor.Role, target.Role)
	}
	return nil
}

// CanRemove decides whether actor may remove target from the project (leaving is
// leaveProject).
func CanRemove(actor, target *Member) error {
	if actor.UserID == target.UserID {
		return Errorf(Forbidden, "to leave the project use leaveProject")
	}
	if !CanActOn(actor.Role, target.Role) {
		return Errorf(Forbidden, "as %s you may not remove a member who is %s", actor.Role, target.Role)
	}
	return nil
}

// CanTransferOwnership decides whether actor may hand the project to another member.
func CanTransferOwnership(actor *Member) error {
	if actor.Role != RoleOwner {
		return Errorf(Forbidden, "only the owner transfers ownership")
	}
	return nil
}

// The messages of bulk rows refused by the decisions above (ROLE_NOT_ALLOWED), which name the
// row's role or record rather than the single call's argument.

func rowCannotInvite(actor, role Role) string {
	return "as " + string(actor) + " you may not invite anyone as " + string(role)
}

func rowCannotSetExternalID(actor, target Role) string {
	return "as " + string(actor) + " you may not change the external ID of a member who is " + string(target)
}

func rowCannotChangeInvite(actor, grants Role) string {
	return "as " + string(actor) + " you may not change an invite that grants " + string(grants)
}

// roles lists every role, lowest first.
var roles = []Role{RolePending, RoleContributor, RoleAdmin, RoleOwner}

// AssignableRoles lists the roles that actor may grant (invite as, promote or demote to),
// lowest first, by CanActOn: empty for CONTRIBUTOR and below.
func AssignableRoles(actor Role) []Role {
	out := []Role{}
	for _, r := range roles {
		if CanActOn(actor, r) {
			out = append(out, r)
		}
	}
	return out
}

// AssignableRoles lists the roles the viewer may grant in the project, lowest first; none for
// a viewer who sees the project through an invite.
func (p *Project) AssignableRoles() []Role {
	if p.ViewerRole == nil {
		return []Role{}
	}
	return AssignableRoles(*p.ViewerRole)
}
