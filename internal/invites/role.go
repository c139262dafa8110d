package invites

import "strings"

// Role is a member's role in a project. Roles are ordered: PENDING < CONTRIBUTOR < ADMIN < OWNER.
type Role string

// The roles, lowest first.
const (
	RolePending     Role = "PENDING"
	RoleContributor Role = "CONTRIBUTOR"
	RoleAdmin       Role = "ADMIN"
	RoleOwner       Role = "OWNER"
)

// rank orders roles; an unknown role ranks below every real one.
func (r Role) rank() int {
	switch r {
	case RolePending:
		return 1
	case RoleContributor:
		return 2
	case RoleAdmin:
		return 3
	case RoleOwner:
		return 4
	}
	return 0
}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast reports whether r is min or higher.
func (r Role) AtLeast(min Role) bool { return r.Valid() && r.rank() >= min.rank() }

// ParseRole reads a role name as typed in a CSV file or a row, in any letter case.
func ParseRole(field, raw string) (Role, error) {
	name := strings.TrimSpace(raw)
	r := Role(strings.ToUpper(name))
	if !r.Valid() {
		return "", invalid(field, "%q is not a role: use PENDING, CONTRIBUTOR or ADMIN", name)
	}
	return r, nil
}
