package invites

import (
	"slices"
	"testing"
)

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

func TestAssignableRoles(t *testing.T) {
	tests := []struct {
		viewer *Role
		want   []Role
	}{
		{nil, []Role{}},
		{new(RolePending), []Role{}},
		{new(RoleContributor), []Role{}},
		{new(RoleAdmin), []Role{RolePending, RoleContributor}},
		{new(RoleOwner), []Role{RolePending, RoleContributor, RoleAdmin}},
		{new(Role("ROOT")), []Role{}},
	}
	for _, tt := range tests {
		got := (&Project{ViewerRole: tt.viewer}).AssignableRoles()
		if got == nil || !slices.Equal(got, tt.want) {
			t.Errorf("AssignableRoles(%v) = %#v, want %v", tt.viewer, got, tt.want)
		}
		// Each role listed is one CanActOn allows, and none is missing.
		if tt.viewer != nil {
			for _, r := range roles {
				if CanActOn(*tt.viewer, r) != slices.Contains(got, r) {
					t.Errorf("AssignableRoles(%s) and CanActOn disagree on %s", *tt.viewer, r)
				}
			}
		}
	}
}
