package invites

import "testing"

func TestCanActOn(t *testing.T) {
	roles := []Role{RolePending, RoleContributor, RoleAdmin, RoleOwner}
	// want[actor][target]
	want := map[Role]map[Role]bool{
		RolePending:     {RolePending: false, RoleContributor: false, RoleAdmin: false, RoleOwner: false},
		RoleContributor: {RolePending: false, RoleContributor: false, RoleAdmin: false, RoleOwner: false},
		RoleAdmin:       {RolePending: true, RoleContributor: true, RoleAdmin: false, RoleOwner: false},
		RoleOwner:       {RolePending: true, RoleContributor: true, RoleAdmin: true, RoleOwner: false},
	}
	for _, actor := range roles {
		for _, target := range roles {
			if got := CanActOn(actor, target); got != want[actor][target] {
				t.Errorf("CanActOn(%s, %s) = %v, want %v", actor, target, got, want[actor][target])
			}
		}
	}
	for _, bad := range []Role{"", "owner", "ROOT"} {
		if CanActOn(bad, RolePending) || CanActOn(RoleOwner, bad) {
			t.Errorf("CanActOn accepts the unknown role %q", bad)
		}
	}
}
