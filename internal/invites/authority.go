package invites

// CanActOn is the one authority rule: only ADMIN and OWNER act on others, and only on roles
// strictly below their own. It decides who may invite someone as target, promote or demote
// someone to or from target, remove a member with role target, and revoke or resend an invite
// granting target. So an ADMIN acts on PENDING and CONTRIBUTOR, an OWNER on ADMIN too, and
// nobody grants OWNER (that takes transferOwnership).
func CanActOn(actor, target Role) bool {
	return actor.AtLeast(RoleAdmin) && target.Valid() && actor.rank() > target.rank()
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
