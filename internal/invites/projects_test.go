package invites_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
)

func TestService_CreateProject(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)

	t.Run("OK", func(t *testing.T) {
		owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
		p, err := s.CreateProject(ctx, owner.ID, "  Apollo  ")
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != "Apollo" || *p.ViewerRole != invites.RoleOwner {
			t.Errorf("project = %+v, want Apollo owned by the creator", p)
		}
		if n := count(t, "project_members", "project_id = ? AND user_id = ? AND role = 'OWNER'", p.ID, owner.ID); n != 1 {
			t.Errorf("owner memberships = %d, want 1", n)
		}
	})

	t.Run("ErrBadUserInput", func(t *testing.T) {
		owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
		for _, name := range []string{"", "   ", strings.Repeat("x", 201), "tab\tname"} {
			_, err := s.CreateProject(ctx, owner.ID, name)
			wantCode(t, err, invites.BadUserInput)
		}
		if n := count(t, "project_members", "user_id = ?", owner.ID); n != 0 {
			t.Errorf("rejected projects left %d memberships", n)
		}
	})

	t.Run("OneOwnerEnforcedByDatabase", func(t *testing.T) {
		owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
		other := mustSignUp(t, s, uniqueEmail("other")).User
		p, err := s.CreateProject(ctx, owner.ID, "Solo")
		if err != nil {
			t.Fatal(err)
		}
		_, err = pgDB(t).NewInsert().Model(&invites.Member{ID: uuid.New(), ProjectID: p.ID, UserID: other.ID, Role: invites.RoleOwner, CreatedAt: p.CreatedAt, UpdatedAt: p.CreatedAt}).Exec(ctx)
		if err == nil || !strings.Contains(err.Error(), "project_members_one_owner_key") {
			t.Fatalf("a second OWNER was stored: %v", err)
		}
	})
}

func TestService_Project(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	outsider := mustSignUp(t, s, uniqueEmail("outsider")).User
	p, err := s.CreateProject(ctx, owner.ID, "Gemini")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		got, err := s.Project(ctx, owner.ID, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != p.ID || got.Name != "Gemini" || *got.ViewerRole != invites.RoleOwner || !got.CreatedAt.Equal(p.CreatedAt) {
			t.Errorf("got %+v, want %+v", got, p)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.Project(ctx, outsider.ID, p.ID)
		wantCode(t, err, invites.NotFound)
		_, err = s.Project(ctx, owner.ID, uuid.New())
		wantCode(t, err, invites.NotFound)
	})
}

func TestService_Projects(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	viewer := mustSignUp(t, s, uniqueEmail("viewer")).User
	other := mustSignUp(t, s, uniqueEmail("other")).User
	var names []string
	for _, name := range []string{"P1", "P2", "P3", "P4", "P5"} {
		clk.Advance(1) // distinct times; the order must not depend on it, but newest first does
		if _, err := s.CreateProject(ctx, viewer.ID, name); err != nil {
			t.Fatal(err)
		}
		names = append([]string{name}, names...)
	}
	if _, err := s.CreateProject(ctx, other.ID, "Not mine"); err != nil {
		t.Fatal(err)
	}

	t.Run("PagesNewestFirst", func(t *testing.T) {
		var got []string
		after := ""
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			p, err := s.Projects(ctx, viewer.ID, invites.PageArgs{First: new(2), After: after})
			if err != nil {
				t.Fatal(err)
			}
			if p.TotalCount != 5 {
				t.Errorf("totalCount = %d, want 5", p.TotalCount)
			}
			for _, it := range p.Items {
				got = append(got, it.Name)
				if *it.ViewerRole != invites.RoleOwner {
					t.Errorf("viewerRole of %s = %s", it.Name, *it.ViewerRole)
				}
			}
			if !p.HasNextPage {
				break
			}
			after = p.Cursors[len(p.Cursors)-1]
		}
		if strings.Join(got, ",") != strings.Join(names, ",") {
			t.Errorf("projects = %v, want %v", got, names)
		}
	})

	t.Run("FirstZero", func(t *testing.T) {
		p, err := s.Projects(ctx, viewer.ID, invites.PageArgs{First: new(0)})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != 0 || !p.HasNextPage || p.TotalCount != 5 {
			t.Errorf("page = %+v, want no items, more to come, total 5", p)
		}
	})

	t.Run("ErrBadUserInput", func(t *testing.T) {
		for _, args := range []invites.PageArgs{{First: new(101)}, {First: new(-1)}, {First: new(10), After: "garbage"}, {First: new(10), After: "bm90OmFjdXJzb3I"}} {
			_, err := s.Projects(ctx, viewer.ID, args)
			wantCode(t, err, invites.BadUserInput)
		}
		if _, err := s.Projects(ctx, viewer.ID, invites.PageArgs{First: new(100)}); err != nil {
			t.Errorf("first = 100: %v", err)
		}
	})
}
