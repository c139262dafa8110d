package invites

// CanActOn is the one authority rule: only ADMIN and OWNER act on others, and only on roles
// strictly below their own. It decides who may invite someone as target, promote or demote
// someone to or from target, remove a member with role target, and revoke or resend an invite
// granting target. So an ADMIN acts on PENDING and CONTRIBUTOR, an OWNER on ADMIN too, and
// nobody grants OWNER (that takes transferOwnership).
func CanActOn(actor, target Role) bool {
	return actor.AtLeast(RoleAdmin) && target.Valid() && actor.rank() > target.rank()
}
