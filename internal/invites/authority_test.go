package invites

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
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

// TestDecisions runs every authority decision over the cases that tell its rule apart: nil when
// allowed, else FORBIDDEN with its one message.
func TestDecisions(t *testing.T) {
	self, other := uuid.New(), uuid.New()
	m := func(user uuid.UUID, role Role) *Member { return &Member{UserID: user, Role: role} }
	tests := []struct {
		name string
		got  error
		want string // "" when allowed
	}{
		{"HasMinRole(CONTRIBUTOR, CONTRIBUTOR)", HasMinRole(RoleContributor, MinRoleToListMembers), ""},
		{"HasMinRole(PENDING, CONTRIBUTOR)", HasMinRole(RolePending, MinRoleToListMembers), "this needs the CONTRIBUTOR role or higher in the project"},
		{"HasMinRole(CONTRIBUTOR, ADMIN)", HasMinRole(RoleContributor, MinRoleToListInvites), "this needs the ADMIN role or higher in the project"},
		{"HasMinRole(OWNER, ADMIN)", HasMinRole(RoleOwner, MinRoleToReadActivity), ""},
		{"HasMinRole(unknown, PENDING)", HasMinRole("ROOT", RolePending), "this needs the PENDING role or higher in the project"},

		{"CanInvite(ADMIN, CONTRIBUTOR)", CanInvite(RoleAdmin, RoleContributor), ""},
		{"CanInvite(ADMIN, ADMIN)", CanInvite(RoleAdmin, RoleAdmin), "as ADMIN you may not invite as ADMIN: only with a role below ADMIN"},
		{"CanInvite(OWNER, ADMIN)", CanInvite(RoleOwner, RoleAdmin), ""},
		{"CanInvite(OWNER, OWNER)", CanInvite(RoleOwner, RoleOwner), "as OWNER you may not invite as OWNER: only with a role below OWNER"},
		{"CanInvite(CONTRIBUTOR, PENDING)", CanInvite(RoleContributor, RolePending), "as CONTRIBUTOR you may not invite (PENDING was asked): only an ADMIN or OWNER may, with a role below their own"},
		{"CanCreateInviteLink(CONTRIBUTOR, PENDING)", CanCreateInviteLink(RoleContributor, RolePending), "as CONTRIBUTOR you may not make invite links (PENDING was asked): only an ADMIN or OWNER may, with a role below their own"},
		{"CanCreateInviteLink(ADMIN, OWNER)", CanCreateInviteLink(RoleAdmin, RoleOwner), "as ADMIN you may not make invite links as OWNER: only with a role below ADMIN"},
		{"CanCreateInviteLink(OWNER, ADMIN)", CanCreateInviteLink(RoleOwner, RoleAdmin), ""},

		{"CanManageInvite(ADMIN, PENDING)", CanManageInvite(RoleAdmin, RolePending), ""},
		{"CanManageInvite(ADMIN, ADMIN)", CanManageInvite(RoleAdmin, RoleAdmin), "as ADMIN you may not act on an invite that grants ADMIN"},
		{"CanManageInvite(CONTRIBUTOR, PENDING)", CanManageInvite(RoleContributor, RolePending), "as CONTRIBUTOR you may not act on an invite that grants PENDING"},

		{"CanChangeRole own", CanChangeRole(m(self, RoleOwner), m(self, RoleOwner), RoleAdmin), "nobody changes their own role"},
		{"CanChangeRole ADMIN on CONTRIBUTOR to PENDING", CanChangeRole(m(self, RoleAdmin), m(other, RoleContributor), RolePending), ""},
		{"CanChangeRole ADMIN on ADMIN", CanChangeRole(m(self, RoleAdmin), m(other, RoleAdmin), RolePending), "as ADMIN you may not change a member who is ADMIN"},
		{"CanChangeRole ADMIN to ADMIN", CanChangeRole(m(self, RoleAdmin), m(other, RoleContributor), RoleAdmin), "as ADMIN you may not make anyone ADMIN"},
		{"CanChangeRole OWNER to ADMIN", CanChangeRole(m(self, RoleOwner), m(other, RoleContributor), RoleAdmin), ""},
		{"CanChangeRole OWNER to OWNER", CanChangeRole(m(self, RoleOwner), m(other, RoleAdmin), RoleOwner), "as OWNER you may not make anyone OWNER"},

		{"CanSetExternalID own as ADMIN", CanSetExternalID(m(self, RoleAdmin), m(self, RoleAdmin)), ""},
		{"CanSetExternalID own as OWNER", CanSetExternalID(m(self, RoleOwner), m(self, RoleOwner)), ""},
		{"CanSetExternalID own as CONTRIBUTOR", CanSetExternalID(m(self, RoleContributor), m(self, RoleContributor)), "only an ADMIN or OWNER sets their own external ID"},
		{"CanSetExternalID ADMIN on CONTRIBUTOR", CanSetExternalID(m(self, RoleAdmin), m(other, RoleContributor)), ""},
		{"CanSetExternalID ADMIN on ADMIN", CanSetExternalID(m(self, RoleAdmin), m(other, RoleAdmin)), "as ADMIN you may not change a member who is ADMIN"},
		{"CanSetExternalID CONTRIBUTOR on PENDING", CanSetExternalID(m(self, RoleContributor), m(other, RolePending)), "as CONTRIBUTOR you may not change a member who is PENDING"},

		{"CanRemove self", CanRemove(m(self, RoleAdmin), m(self, RoleAdmin)), "to leave the project use leaveProject"},
		{"CanRemove ADMIN on CONTRIBUTOR", CanRemove(m(self, RoleAdmin), m(other, RoleContributor)), ""},
		{"CanRemove ADMIN on OWNER", CanRemove(m(self, RoleAdmin), m(other, RoleOwner)), "as ADMIN you may not remove a member who is OWNER"},
		{"CanRemove OWNER on ADMIN", CanRemove(m(self, RoleOwner), m(other, RoleAdmin)), ""},

		{"CanTransferOwnership OWNER", CanTransferOwnership(m(self, RoleOwner)), ""},
		{"CanTransferOwnership ADMIN", CanTransferOwnership(m(self, RoleAdmin)), "only the owner transfers ownership"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == "" {
				if tt.got != nil {
					t.Fatalf("got %v, want allowed", tt.got)
				}
				return
			}
			e, ok := tt.got.(*Error)
			if !ok || e.Code != Forbidden || e.Message != tt.want {
				t.Fatalf("got %#v, want FORBIDDEN %q", tt.got, tt.want)
			}
		})
	}
}

func TestCanSeeExternalID(t *testing.T) {
	viewer, other := uuid.New(), uuid.New()
	tests := []struct {
		role   *Role
		holder uuid.UUID
		want   bool
	}{
		{nil, viewer, true},
		{nil, other, false},
		{new(RolePending), other, false},
		{new(RoleContributor), other, false},
		{new(RoleContributor), viewer, true},
		{new(RoleAdmin), other, true},
		{new(RoleOwner), other, true},
	}
	for _, tt := range tests {
		if got := CanSeeExternalID(viewer, tt.role, tt.holder); got != tt.want {
			t.Errorf("CanSeeExternalID(role %v, own %v) = %v, want %v", tt.role, tt.holder == viewer, got, tt.want)
		}
	}
}

// TestRowMessages pins the bulk rows' wording of the decisions, which tells the row's values.
func TestRowMessages(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{rowCannotInvite(RoleAdmin, RoleAdmin), "as ADMIN you may not invite anyone as ADMIN"},
		{rowCannotSetExternalID(RoleAdmin, RoleOwner), "as ADMIN you may not change the external ID of a member who is OWNER"},
		{rowCannotChangeInvite(RoleAdmin, RoleAdmin), "as ADMIN you may not change an invite that grants ADMIN"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestInviteLinkAuthority: making and revoking an invite link follow CanActOn on its role,
// and a refusal is FORBIDDEN with a message.
func TestInviteLinkAuthority(t *testing.T) {
	for _, actor := range roles {
		for _, role := range roles {
			for name, decide := range map[string]func(Role, Role) error{"CanCreateInviteLink": CanCreateInviteLink, "CanManageInviteLink": CanManageInviteLink} {
				err := decide(actor, role)
				if (err == nil) != CanActOn(actor, role) {
					t.Errorf("%s(%s, %s) = %v, want allowed %v", name, actor, role, err, CanActOn(actor, role))
				}
				if err != nil && (ErrorCode(err) != Forbidden || err.(*Error).Message == "") {
					t.Errorf("%s(%s, %s) = %v, want FORBIDDEN with a message", name, actor, role, err)
				}
			}
		}
	}
}

func TestNormalizeEmailDomains(t *testing.T) {
	tests := []struct {
		in   []string
		want []string // nil: refused
	}{
		{nil, []string{}},
		{[]string{"example.com"}, []string{"example.com"}},
		{[]string{" @Example.COM ", "example.com", "School.Edu"}, []string{"example.com", "school.edu"}},
		{[]string{"mail.example.co.uk"}, []string{"mail.example.co.uk"}},
		{[]string{"xn--bcher-kva.example"}, []string{"xn--bcher-kva.example"}},
		{[]string{"Bücher.example"}, []string{"bücher.example"}},
		{[]string{"localhost"}, nil},
		{[]string{"@"}, nil},
		{[]string{"@@example.com"}, nil},
		{[]string{"ann@example.com"}, nil},
		{[]string{"example.com."}, nil},
		{[]string{".example.com"}, nil},
		{[]string{"exa_mple.com"}, nil},
		{[]string{"example-.com"}, nil},
		{[]string{"*.example.com"}, nil},
		{[]string{"example.com/path"}, nil},
		{[]string{"\u202eexample.com"}, nil},
		{[]string{strings.Repeat("a", 64) + ".com"}, nil},
	}
	for _, tt := range tests {
		got, err := normalizeEmailDomains("allowedEmailDomains", tt.in)
		if tt.want == nil {
			if e, ok := err.(*Error); !ok || e.Code != BadUserInput || e.Field != "allowedEmailDomains" {
				t.Errorf("normalizeEmailDomains(%q) = %q, %v; want BAD_USER_INPUT naming allowedEmailDomains", tt.in, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("normalizeEmailDomains(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
