package invites_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
)

// rowCodes are the error codes of an action's results, "" where a row succeeded.
func rowCodes[T any](results []T, err func(T) *invites.Error) []string {
	codes := make([]string, len(results))
	for i, r := range results {
		if e := err(r); e != nil {
			codes[i] = string(e.Code)
			if e.Message == "" {
				codes[i] += " (no message)"
			}
		}
	}
	return codes
}

func inviteRowErr(r *invites.InviteActionResult) *invites.Error { return r.Err }
func memberRowErr(r *invites.MemberActionResult) *invites.Error { return r.Err }

// bulkFixture is a project with an OWNER, an ADMIN, a CONTRIBUTOR and an outsider.
type bulkFixture struct {
	owner, admin, contributor, outsider *invites.User
	p                                   *invites.Project
}

func newBulkFixture(t *testing.T, s *invites.Service) bulkFixture {
	t.Helper()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Bulk actions")
	return bulkFixture{
		owner: owner, p: p,
		admin:       mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin),
		contributor: mustMember(t, s, owner.ID, p.ID, invites.RoleContributor),
		outsider:    mustVerifiedUser(t, s, uniqueEmail("outsider")),
	}
}

func TestConsoleService_RevokeInvites(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	f := newBulkFixture(t, s)
	ids := func(list ...any) []string {
		out := make([]string, len(list))
		for i, x := range list {
			if inv, ok := x.(*invites.Invite); ok {
				out[i] = inv.ID.String()
			} else {
				out[i] = x.(string)
			}
		}
		return out
	}
	t.Run("OK", func(t *testing.T) {
		a := mustInvite(t, s, f.owner.ID, uniqueEmail("a"), &f.p.ID, invites.RoleContributor, "")
		b := mustInvite(t, s, f.owner.ID, uniqueEmail("b"), &f.p.ID, invites.RoleAdmin, "")
		done := mustInvite(t, s, f.owner.ID, uniqueEmail("c"), &f.p.ID, invites.RolePending, "")
		if _, err := s.RevokeInvite(ctx, f.owner.ID, done.ID); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name  string
			actor uuid.UUID
			ids   []string
			want  []string
		}{
			{"empty", f.admin.ID, nil, []string{}},
			{"each row on its own", f.admin.ID, ids(a, b, done, "not-an-id", uuid.NewString(), a),
				[]string{"", "FORBIDDEN", "INVITE_NOT_PENDING", "NOT_FOUND", "NOT_FOUND", "BAD_USER_INPUT"}},
			{"not a member", f.outsider.ID, ids(b), []string{"NOT_FOUND"}},
			{"below ADMIN", f.contributor.ID, ids(b), []string{"FORBIDDEN"}},
			{"the owner may", f.owner.ID, ids(b), []string{""}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.RevokeInvites(ctx, tc.actor, tc.ids)
				if err != nil {
					t.Fatal(err)
				}
				if codes := rowCodes(got, inviteRowErr); strings.Join(codes, ",") != strings.Join(tc.want, ",") {
					t.Errorf("codes = %q, want %q", codes, tc.want)
				}
				for i, r := range got {
					if r.ID != tc.ids[i] || (r.Err == nil) != (r.Invite != nil) {
						t.Errorf("row %d = %+v: want the ID as given, and an invite exactly where it succeeded", i, r)
					}
					if r.Invite != nil && r.Invite.Status != invites.StatusRevoked {
						t.Errorf("row %d: status %s, want REVOKED", i, r.Invite.Status)
					}
				}
			})
		}
		if got := inviteRow(t, a.ID).Status; got != invites.StatusRevoked {
			t.Errorf("a is %s; want REVOKED, kept although later rows failed", got)
		}
	})
	t.Run("ErrTooMany", func(t *testing.T) {
		many := make([]string, invites.MaxActionIDs+1)
		for i := range many {
			many[i] = uuid.NewString()
		}
		_, err := s.RevokeInvites(ctx, f.owner.ID, many)
		wantCode(t, err, invites.BadUserInput)
		if e, _ := errors.AsType[*invites.Error](err); e.Field != "ids" {
			t.Errorf("field = %q, want ids", e.Field)
		}
	})
}

func TestConsoleService_ResendInvites(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	f := newBulkFixture(t, s)
	a := mustInvite(t, s, f.owner.ID, uniqueEmail("a"), &f.p.ID, invites.RoleContributor, "")
	b := mustInvite(t, s, f.owner.ID, uniqueEmail("b"), &f.p.ID, invites.RolePending, "")
	revoked := mustInvite(t, s, f.owner.ID, uniqueEmail("c"), &f.p.ID, invites.RolePending, "")
	if _, err := s.RevokeInvite(ctx, f.owner.ID, revoked.ID); err != nil {
		t.Fatal(err)
	}
	oldToken := inviteToken(t, a.Email)
	tests := []struct {
		name string
		ids  []string
		want []string
	}{
		{"each row on its own", []string{a.ID.String(), revoked.ID.String(), b.ID.String(), a.ID.String()},
			[]string{"", "INVITE_NOT_PENDING", "", "BAD_USER_INPUT"}},
		{"again within the minute", []string{a.ID.String()}, []string{"RATE_LIMITED"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ResendInvites(ctx, f.admin.ID, tc.ids)
			if err != nil {
				t.Fatal(err)
			}
			if codes := rowCodes(got, inviteRowErr); strings.Join(codes, ",") != strings.Join(tc.want, ",") {
				t.Errorf("codes = %q, want %q", codes, tc.want)
			}
		})
	}
	if inviteToken(t, a.Email) == oldToken {
		t.Error("a resent invite kept its old link")
	}
	if got := inviteRow(t, a.ID).InviterID; got != f.admin.ID {
		t.Errorf("inviter = %s, want the admin who resent it", got)
	}
	clk.Advance(2 * time.Minute)
	got, err := s.ResendInvites(ctx, f.outsider.ID, []string{b.ID.String()})
	if err != nil || rowCodes(got, inviteRowErr)[0] != "NOT_FOUND" {
		t.Errorf("outsider: %v, %v; want NOT_FOUND", got, err)
	}
}

func TestConsoleService_RemoveMembers(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	f := newBulkFixture(t, s)
	c2 := mustMember(t, s, f.owner.ID, f.p.ID, invites.RoleContributor)
	admin2 := mustMember(t, s, f.owner.ID, f.p.ID, invites.RoleAdmin)
	tests := []struct {
		name  string
		actor uuid.UUID
		ids   []uuid.UUID
		want  []string
	}{
		{"not a member", f.outsider.ID, []uuid.UUID{f.contributor.ID}, []string{"NOT_FOUND"}},
		{"below ADMIN", c2.ID, []uuid.UUID{f.contributor.ID}, []string{"FORBIDDEN"}},
		{"each row on its own", f.admin.ID, []uuid.UUID{f.contributor.ID, admin2.ID, f.owner.ID, f.outsider.ID, f.contributor.ID},
			[]string{"", "FORBIDDEN", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT"}},
		{"the owner removes an admin", f.owner.ID, []uuid.UUID{admin2.ID}, []string{""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids := make([]string, len(tc.ids))
			for i, id := range tc.ids {
				ids[i] = id.String()
			}
			got, err := s.RemoveMembers(ctx, tc.actor, f.p.ID, ids)
			if err != nil {
				t.Fatal(err)
			}
			if codes := rowCodes(got, memberRowErr); strings.Join(codes, ",") != strings.Join(tc.want, ",") {
				t.Errorf("codes = %q, want %q", codes, tc.want)
			}
			for i, r := range got {
				if r.UserID != ids[i] || (r.Err == nil) != (r.Member != nil) || (r.Member != nil && r.Member.UserID != tc.ids[i]) {
					t.Errorf("row %d = %+v: want the ID as given, and the membership exactly where it succeeded", i, r)
				}
			}
		})
	}
	for _, gone := range []uuid.UUID{f.contributor.ID, admin2.ID} {
		if memberRow(t, f.p.ID, gone) != nil {
			t.Errorf("member %s is still there", gone)
		}
	}
	if memberRow(t, f.p.ID, c2.ID) == nil {
		t.Error("a member nobody removed is gone")
	}
}
