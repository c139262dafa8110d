package invites_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/app"
	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// cheapPasswords keeps argon2id fast in tests; the cost parameters do not change the logic.
var cheapPasswords = invites.PasswordParams{Memory: 1024, Time: 1, Threads: 1}

// clock is a test clock that moves only when told to.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now().UTC()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// quiet is the log of the services' emails, which tests read from the outbox instead.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newService returns the domain's service on the package's database, built as the server
// builds it (internal/app), with a test clock; change (nil: none) changes config.Default's
// domain settings last. Its emails are queued for real (in the emails table and River) but
// not sent, its jobs not running: tests read the links from the outbox.
func newService(t *testing.T, change func(*config.Domain)) (*invites.Service, *clock) {
	t.Helper()
	c := newClock()
	return newServices(t, pgtest.DB(t), c, change).Invites, c
}

// newServices is the server's services on db with the package's test settings (links to
// https://app.example, no cap on sign-ups per client, cheap passwords, clock clk) and change
// applied last. Each call builds services of their own, as each replica has.
func newServices(t testing.TB, db *bun.DB, clk *clock, change func(*config.Domain)) *app.Services {
	t.Helper()
	cfg := config.Default()
	cfg.Domain.AppURL = "https://app.example"
	// The package's tests sign up hundreds of accounts from one process; the cap per client
	// address has tests of its own, which set it.
	cfg.Domain.SignUpClientLimit = 0
	if change != nil {
		change(&cfg.Domain)
	}
	s, err := app.NewServices(context.Background(), db, cfg, app.Options{Logger: quiet, Now: clk.Now, Password: cheapPasswords})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var emailSeq atomic.Int64

// uniqueEmail returns an email no other test of the package uses.
func uniqueEmail(prefix string) string {
	return prefix + "-" + time.Now().Format("150405") + "-" + strconv.FormatInt(emailSeq.Add(1), 10) + "@example.com"
}

var clientSeq atomic.Uint32

// newClient returns a client address no other test of the package uses, so that per-client
// limits of one test never reach another.
func newClient() netip.Addr {
	n := clientSeq.Add(1)
	return netip.AddrFrom4([4]byte{198, 18, byte(n >> 8), byte(n)})
}

func mustSignUp(t *testing.T, s *invites.Service, email string) *invites.Session {
	t.Helper()
	sess, err := s.SignUp(context.Background(), invites.SignUpInput{Email: email, Password: "correct horse", Name: "Test User"})
	if err != nil {
		t.Fatalf("SignUp(%s): %v", email, err)
	}
	return sess
}

// lastLink returns the link of the newest email queued to recipient.
func lastLink(t *testing.T, recipient string) string {
	t.Helper()
	var link string
	err := pgtest.DB(t).NewSelect().TableExpr("emails").Column("link").
		Where("recipient = ?", recipient).OrderExpr("created_at DESC, id DESC").Limit(1).
		Scan(context.Background(), &link)
	if err != nil {
		t.Fatalf("no email to %s: %v", recipient, err)
	}
	return link
}

func pgDB(t *testing.T) *bun.DB { return pgtest.DB(t) }

func count(t *testing.T, table, where string, args ...any) int {
	t.Helper()
	n, err := pgtest.DB(t).NewSelect().TableExpr(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// wantCode fails the test unless err is a domain error with code.
func wantCode(t *testing.T, err error, code invites.Code) {
	t.Helper()
	if got := invites.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %s), want code %s", err, got, code)
	}
	if e, ok := errors.AsType[*invites.Error](err); !ok || e.Message == "" {
		t.Fatalf("error %v has no user-facing message", err)
	}
}

// ptr returns a pointer to v, for optional inputs.
func ptr[T any](v T) *T { return &v }

// linkToken returns the token of the newest link of the given kind ("invite" or
// "verify-email") emailed to recipient.
// A welcome after a join (its link: the project) may come after the link looked for.
func linkToken(t *testing.T, recipient, kind string) string {
	t.Helper()
	prefix := "https://app.example/" + kind + "/"
	var link string
	err := pgtest.DB(t).NewSelect().TableExpr("emails").Column("link").
		Where("recipient = ? AND kind <> 'welcome'", recipient).OrderExpr("created_at DESC, id DESC").Limit(1).
		Scan(context.Background(), &link)
	if err != nil {
		t.Fatalf("no email to %s: %v", recipient, err)
	}
	if !strings.HasPrefix(link, prefix) {
		t.Fatalf("newest link to %s = %q, want a %s link", recipient, link, kind)
	}
	return strings.TrimPrefix(link, prefix)
}

// inviteToken returns the token of the newest invite link emailed to recipient.
func inviteToken(t *testing.T, recipient string) string {
	t.Helper()
	return linkToken(t, recipient, "invite")
}

func mustProject(t *testing.T, s *invites.Service, owner uuid.UUID, name string) *invites.Project {
	t.Helper()
	p, err := s.CreateProject(context.Background(), owner, name)
	if err != nil {
		t.Fatalf("CreateProject: %v", err)
	}
	return p
}

// mustInvite invites email to a project (nil: the service) with role and external ID
// ("" for none).
func mustInvite(t *testing.T, s *invites.Service, actor uuid.UUID, email string, projectID *uuid.UUID, role invites.Role, externalID string) *invites.Invite {
	t.Helper()
	in := invites.CreateInviteInput{Email: email, ProjectID: projectID}
	if role != "" {
		in.Role = &role
	}
	if externalID != "" {
		in.ExternalID = &externalID
	}
	inv, err := s.CreateInvite(context.Background(), actor, in)
	if err != nil {
		t.Fatalf("CreateInvite(%s, %s): %v", email, role, err)
	}
	return inv
}

// mustUser reads an account as it is now.
func mustUser(t *testing.T, s *invites.Service, id uuid.UUID) *invites.User {
	t.Helper()
	users, err := s.Users(context.Background(), []uuid.UUID{id})
	if err != nil || users[id] == nil {
		t.Fatalf("user %s: %v", id, err)
	}
	return users[id]
}

// mustMember returns a member of the project with role: the owner for OWNER, else a new user
// invited by the owner and signed up through the invite's link.
func mustMember(t *testing.T, s *invites.Service, owner, projectID uuid.UUID, role invites.Role) *invites.User {
	t.Helper()
	ctx := context.Background()
	if role == invites.RoleOwner {
		return mustUser(t, s, owner)
	}
	email := uniqueEmail(strings.ToLower(string(role)))
	mustInvite(t, s, owner, email, &projectID, role, "")
	sess, err := s.SignUp(ctx, invites.SignUpInput{InviteToken: inviteToken(t, email), Password: "correct horse", Name: "Member " + string(role)})
	if err != nil {
		t.Fatalf("SignUp with the invite of %s: %v", email, err)
	}
	return sess.User
}

// mustVerifiedUser signs up email and verifies it through the emailed link.
func mustVerifiedUser(t *testing.T, s *invites.Service, email string) *invites.User {
	t.Helper()
	mustSignUp(t, s, email)
	u, err := s.VerifyEmail(context.Background(), linkToken(t, email, "verify-email"))
	if err != nil {
		t.Fatalf("VerifyEmail(%s): %v", email, err)
	}
	return u
}

// memberRow reads a membership from the database; nil when there is none.
func memberRow(t *testing.T, projectID, userID uuid.UUID) *invites.Member {
	t.Helper()
	m := new(invites.Member)
	err := pgDB(t).NewSelect().Model(m).Where("project_id = ? AND user_id = ?", projectID, userID).Scan(context.Background())
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// inviteRow reads an invite from the database as stored (not settled).
func inviteRow(t *testing.T, id uuid.UUID) *invites.Invite {
	t.Helper()
	inv := new(invites.Invite)
	if err := pgDB(t).NewSelect().Model(inv).Where("id = ?", id).Scan(context.Background()); err != nil {
		t.Fatalf("invite %s: %v", id, err)
	}
	return inv
}

// projectState describes everything a call on the project could write, and the outbox, so
// that a refused call can be checked to have written nothing.
func projectState(t *testing.T, projectID uuid.UUID) string {
	t.Helper()
	var state string
	err := pgDB(t).NewRaw(`SELECT concat_ws(' | ',
			(SELECT count(*) FROM emails),
			(SELECT count(*) FROM activity_events WHERE project_id = ?),
			(SELECT string_agg(user_id::text || ':' || role || ':' || coalesce(external_id, '') || ':' || updated_at::text, ',' ORDER BY user_id)
				FROM project_members WHERE project_id = ?),
			(SELECT string_agg(id::text || ':' || status || ':' || coalesce(role, '') || ':' || coalesce(external_id, '') || ':' || updated_at::text, ',' ORDER BY id)
				FROM invites WHERE project_id = ?))`,
		projectID, projectID, projectID).Scan(context.Background(), &state)
	if err != nil {
		t.Fatal(err)
	}
	return state
}

// eventNames lists the names of a page of events.
func eventNames(events []*invites.Event) []string {
	names := make([]string, len(events))
	for i, e := range events {
		names[i] = e.Name
	}
	return names
}

// describeInvites lists invites readably for a failure message.
func describeInvites(list []*invites.Invite) string {
	parts := make([]string, len(list))
	for i, inv := range list {
		ext := "-"
		if inv.ExternalID != nil {
			ext = *inv.ExternalID
		}
		parts[i] = inv.ID.String() + " " + string(inv.Status) + " " + ext
	}
	return "[" + strings.Join(parts, "; ") + "]"
}
