package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// prepare finds the seeded projects through the API, walks to the 50th page of invites, and
// checks that each read answers what it should, so that the figures measure real answers.
func prepare(ctx context.Context, ours, theirs *process, db *sql.DB, acceptors int) (*fixture, error) {
	f := &fixture{ours: ours, theirs: theirs, acceptors: acceptors}
	if err := f.findRowIDs(ctx, db); err != nil {
		return nil, err
	}
	steps := []func(context.Context, *http.Client) error{f.findProjects, f.findInvitesPage50, f.checkInvitesPage50, f.checkMemberPage}
	if theirs != nil {
		steps = append(steps, f.checkTheirMemberPage, f.checkTheirInvitesPage)
	}
	c := newClient(1)
	for _, step := range steps {
		if err := step(ctx, c); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// findRowIDs reads the seeded projects' row IDs, by which PostGraphile finds them.
func (f *fixture) findRowIDs(ctx context.Context, db *sql.DB) error {
	for name, id := range map[string]*string{membersName: &f.membersUUID, invitesName: &f.invitesUUID} {
		if err := db.QueryRowContext(ctx, "SELECT id FROM projects WHERE name = $1", name).Scan(id); err != nil {
			return err
		}
	}
	return nil
}

// findProjects finds the seeded projects' IDs in our API among the owner's projects.
func (f *fixture) findProjects(ctx context.Context, c *http.Client) error {
	var projects struct {
		Projects struct {
			Edges []struct{ Node struct{ ID, Name string } }
		}
	}
	if err := call(ctx, c, f.ours.base, ownerSession, `{ projects(first: 10) { edges { node { id name } } } }`, nil, &projects); err != nil {
		return err
	}
	for _, e := range projects.Projects.Edges {
		switch e.Node.Name {
		case membersName:
			f.members = e.Node.ID
		case invitesName:
			f.invites = e.Node.ID
		}
	}
	if f.members == "" || f.invites == "" {
		return fmt.Errorf("the owner's projects do not include the seeded ones: %+v", projects)
	}
	return nil
}

// invitePage is our answer to invitesQuery, as far as the checks read it.
type invitePage struct {
	Project struct {
		Invites struct {
			TotalCount *int
			Edges      []json.RawMessage
			PageInfo   struct{ EndCursor string }
		}
	}
}

// findInvitesPage50 follows the cursors through the first 49 pages of 100 invites, checking
// each is full, to the cursor after which the 50th page starts.
func (f *fixture) findInvitesPage50(ctx context.Context, c *http.Client) error {
	var after any
	for page := 1; page < 50; page++ {
		var p invitePage
		if err := call(ctx, c, f.ours.base, ownerSession, fmt.Sprintf(invitesQuery, ""), map[string]any{"id": f.invites, "after": after}, &p); err != nil {
			return err
		}
		if len(p.Project.Invites.Edges) != 100 {
			return fmt.Errorf("invites page %d has %d invites, want 100", page, len(p.Project.Invites.Edges))
		}
		after = p.Project.Invites.PageInfo.EndCursor
	}
	f.page50 = after.(string)
	return nil
}

// checkInvitesPage50 checks that the 50th page has 100 invites and counts every seeded one.
func (f *fixture) checkInvitesPage50(ctx context.Context, c *http.Client) error {
	var p invitePage
	if err := call(ctx, c, f.ours.base, ownerSession, fmt.Sprintf(invitesQuery, "totalCount"), map[string]any{"id": f.invites, "after": f.page50}, &p); err != nil {
		return err
	}
	if len(p.Project.Invites.Edges) != 100 || p.Project.Invites.TotalCount == nil || *p.Project.Invites.TotalCount != seedInvites {
		return fmt.Errorf("invites page 50: %d invites of %v, want 100 of %d", len(p.Project.Invites.Edges), p.Project.Invites.TotalCount, seedInvites)
	}
	return nil
}

// checkMemberPage checks that our member page has every seeded member with their user.
func (f *fixture) checkMemberPage(ctx context.Context, c *http.Client) error {
	var members struct {
		Project struct {
			Members struct {
				Edges []struct {
					Node struct{ User struct{ Email string } }
				}
			}
		}
	}
	if err := call(ctx, c, f.ours.base, ownerSession, membersQuery, map[string]any{"id": f.members}, &members); err != nil {
		return err
	}
	if n := len(members.Project.Members.Edges); n != seedMembers || members.Project.Members.Edges[0].Node.User.Email == "" {
		return fmt.Errorf("member page: %d members, want %d with their users", n, seedMembers)
	}
	return nil
}

// checkTheirMemberPage checks that PostGraphile's member page has every seeded member with
// their user, as ours does.
func (f *fixture) checkTheirMemberPage(ctx context.Context, c *http.Client) error {
	var pg struct {
		ProjectByID struct {
			ProjectMembersByProjectID struct {
				Nodes []struct{ UserByUserID struct{ Email string } }
			}
		}
	}
	if err := call(ctx, c, f.theirs.base, "", postgraphileMembersQuery, map[string]any{"id": f.membersUUID}, &pg); err != nil {
		return fmt.Errorf("PostGraphile: %w", err)
	}
	if n := len(pg.ProjectByID.ProjectMembersByProjectID.Nodes); n != seedMembers || pg.ProjectByID.ProjectMembersByProjectID.Nodes[0].UserByUserID.Email == "" {
		return fmt.Errorf("PostGraphile's member page: %d members, want %d with their users", n, seedMembers)
	}
	return nil
}

// checkTheirInvitesPage checks that PostGraphile's first page of invites has 100 and counts
// every seeded one.
func (f *fixture) checkTheirInvitesPage(ctx context.Context, c *http.Client) error {
	var inv struct {
		ProjectByID struct {
			InvitesByProjectID struct {
				TotalCount int
				Nodes      []json.RawMessage
			}
		}
	}
	if err := call(ctx, c, f.theirs.base, "", postgraphileInvitesQuery, map[string]any{"id": f.invitesUUID}, &inv); err != nil {
		return fmt.Errorf("PostGraphile: %w", err)
	}
	if got := inv.ProjectByID.InvitesByProjectID; len(got.Nodes) != 100 || got.TotalCount != seedInvites {
		return fmt.Errorf("PostGraphile's invites page: %d invites of %d, want 100 of %d", len(got.Nodes), got.TotalCount, seedInvites)
	}
	return nil
}

// call runs one GraphQL request and decodes its data into out; any error in the answer is one.
func call(ctx context.Context, c *http.Client, base, token, q string, vars map[string]any, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	status, body, err := post(ctx, c, base+"/graphql", mustJSON(map[string]any{"query": q, "variables": vars}), token)
	if err != nil {
		return err
	}
	var answer struct {
		Data   json.RawMessage
		Errors []json.RawMessage
	}
	if err := json.Unmarshal(body, &answer); err != nil || status != http.StatusOK || len(answer.Errors) > 0 {
		return fmt.Errorf("%s: %d %.500s", q, status, body)
	}
	return json.Unmarshal(answer.Data, out)
}
