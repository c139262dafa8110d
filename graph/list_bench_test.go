package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/invites/invites/internal/config"
)

// seedCrowd adds n members (each a new user) and n invites to project, written directly: these
// benchmarks measure reading pages, not the API's writes.
func seedCrowd(tb testing.TB, project, inviterID string, n int) {
	tb.Helper()
	prefix := strings.TrimSuffix(uniqueEmail("crowd"), "@example.com")
	_, err := pgDB(&testing.T{}).ExecContext(ctxBG, `
		WITH u AS (
			INSERT INTO users (id, email, name, password_hash, created_at)
			SELECT gen_random_uuid(), ? || '-' || n || '@example.com', 'Person ' || n, 'x', now() - n * interval '1 second'
			FROM generate_series(1, ?) n RETURNING id, email),
		m AS (
			INSERT INTO project_members (id, project_id, user_id, role, created_at, updated_at)
			SELECT gen_random_uuid(), ?, u.id, 'CONTRIBUTOR', now(), now() FROM u)
		INSERT INTO invites (id, email, project_id, role, inviter_id, invitee_id, token_hash, status, expires_at, created_at, updated_at)
		SELECT gen_random_uuid(), 'invited-' || u.email, ?, 'CONTRIBUTOR', ?, u.id,
			sha256(u.id::text::bytea), 'PENDING', now() + interval '1 day', now() - random() * interval '1 day', now()
		FROM u`, prefix, n, project, project, inviterID)
	if err != nil {
		tb.Fatal(err)
	}
}

const (
	benchMembersPage = `query($p: ID!) { project(id: $p) { members(first: 100) { totalCount
		edges { cursor node { id role externalId user { id email name emailVerified } } }
		pageInfo { hasNextPage endCursor } } } }`
	benchInvitesPage = `query($p: ID!) { project(id: $p) { invites(first: 100) {
		edges { cursor node { id email role status deliveryStatus externalId createdAt inviter { name } invitee { name } } }
		pageInfo { hasNextPage endCursor } } } }`
	benchInvitesPageCounted = `query($p: ID!) { project(id: $p) { invites(first: 100) { totalCount
		edges { cursor node { id email role status deliveryStatus externalId createdAt inviter { name } invitee { name } } }
		pageInfo { hasNextPage endCursor } } } }`
)

// benchPage serves query for project through the handler b.N times and checks each answer
// holds a page of 100 edges under list.
func benchPage(b *testing.B, query, list string) {
	h := newHandler(&testing.T{})
	owner := signUpVerified(&testing.T{}, h, uniqueEmail("bench"))
	project := newProject(&testing.T{}, h, owner, "Bench")
	ownerID := myID(&testing.T{}, h, owner)
	seedCrowd(b, project, ownerID, 200)
	body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"p": project}})
	config.Default().Memory.Apply() // the server's garbage collection
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+owner)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var r struct {
			Data struct {
				Project map[string]struct {
					Edges []json.RawMessage `json:"edges"`
				} `json:"project"`
			} `json:"data"`
			Errors []gqlError `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || len(r.Errors) > 0 || len(r.Data.Project[list].Edges) != 100 {
			b.Fatalf("status %d, err %v, errors %v, %d edges", rec.Code, err, r.Errors, len(r.Data.Project[list].Edges))
		}
	}
}

// BenchmarkMembersPage100 reads a page of 100 members with their users, and the total.
func BenchmarkMembersPage100(b *testing.B) { benchPage(b, benchMembersPage, "members") }

// BenchmarkInvitesPage100 reads a page of 100 invites with inviters and invitees, no total.
func BenchmarkInvitesPage100(b *testing.B) { benchPage(b, benchInvitesPage, "invites") }

// BenchmarkInvitesPage100Counted is BenchmarkInvitesPage100 with totalCount.
func BenchmarkInvitesPage100Counted(b *testing.B) {
	benchPage(b, benchInvitesPageCounted, "invites")
}
