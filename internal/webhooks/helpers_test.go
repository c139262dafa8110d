package webhooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
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
	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/pgtest"
	"github.com/invites/invites/internal/webhooks"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// env is the server's services (internal/app) on the package's database, the domain with
// webhooks hooked in, its jobs running (until the test ends) with a short poll and a backoff
// of milliseconds.
type env struct {
	db       *bun.DB
	svc      *invites.Service
	hooks    *webhooks.Service
	services *app.Services
	sent     *linkRecorder
	// cfg and opts are what the services were built with, for services of a test's own.
	cfg  config.Config
	opts app.Options
}

func testConfig() webhooks.Config {
	cfg := webhooks.Config{Webhooks: config.Default().Webhooks, Logger: quiet}
	cfg.AllowLoopback = true
	cfg.SecretKey = []byte("0123456789abcdef0123456789abcdef")
	cfg.Timeout = 2 * time.Second
	// Five attempts in all, 30 ms apart: the shape of DefaultBackoff, in milliseconds.
	cfg.Backoff = func(attempt int) time.Duration {
		if attempt >= 5 {
			return -1
		}
		return 30 * time.Millisecond
	}
	return cfg
}

func newEnv(t testing.TB, db *bun.DB, change func(*webhooks.Config)) *env {
	t.Helper()
	return newEnvPolling(t, db, change, 20*time.Millisecond)
}

// newEnvPolling is newEnv with the River client looking for jobs every poll.
func newEnvPolling(t testing.TB, db *bun.DB, change func(*webhooks.Config), poll time.Duration) *env {
	t.Helper()
	return newEnvSending(t, db, change, poll, mail.NewLogSender(quiet))
}

// newEnvSending is newEnvPolling with the emails sent by sender, the service hearing of those
// that fail for good, as in the server.
func newEnvSending(t testing.TB, db *bun.DB, change func(*webhooks.Config), poll time.Duration, sender mail.Sender) *env {
	t.Helper()
	e := newEnvIdle(t, db, change, poll, sender)
	if err := e.services.Jobs.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.services.Jobs.Stop(context.Background()) })
	return e
}

// newEnvIdle is newEnvSending with its River client not started: nothing posts the deliveries
// but what the test runs.
func newEnvIdle(t testing.TB, db *bun.DB, change func(*webhooks.Config), poll time.Duration, sender mail.Sender) *env {
	t.Helper()
	hooks := testConfig()
	if change != nil {
		change(&hooks)
	}
	cfg := config.Default()
	cfg.Webhooks, cfg.Jobs.PollInterval = hooks.Webhooks, poll
	cfg.Domain.AppURL = "https://app.example"
	cfg.Domain.SignUpClientLimit, cfg.Domain.InviteRecipientDailyLimit, cfg.Domain.InviteRateLimit = 0, 0, 0
	sent := &linkRecorder{Sender: sender, links: map[uuid.UUID]string{}}
	opts := app.Options{Logger: quiet, Sender: sent, WebhookBackoff: hooks.Backoff,
		Password: invites.PasswordParams{Memory: 1024, Time: 1, Threads: 1}}
	s := newServices(t, db, cfg, opts)
	return &env{db: db, svc: s.Invites, hooks: s.Webhooks, services: s, sent: sent, cfg: cfg, opts: opts}
}

// linkRecorder hands each email to its Sender and remembers the link of each one sent, by the
// email's id: the workers, running, may send an email before a test reads its link, and
// sending wipes the link from the outbox.
type linkRecorder struct {
	mail.Sender
	mu    sync.Mutex
	links map[uuid.UUID]string
}

func (r *linkRecorder) Send(ctx context.Context, m mail.Message) error {
	err := r.Sender.Send(ctx, m)
	if err == nil {
		r.mu.Lock()
		r.links[m.ID] = m.Link
		r.mu.Unlock()
	}
	return err
}

// link is the link of the email with id that was sent; "" for none.
func (r *linkRecorder) link(id uuid.UUID) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.links[id]
}

// newServices builds services of their own on db (internal/app), not started.
func newServices(t testing.TB, db *bun.DB, cfg config.Config, opts app.Options) *app.Services {
	t.Helper()
	s, err := app.NewServices(context.Background(), db, cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var emailSeq atomic.Int64

func uniqueEmail(prefix string) string {
	return fmt.Sprintf("%s-%d-%d@example.com", prefix, time.Now().UnixNano()%1e9, emailSeq.Add(1))
}

// signUp makes an account with a verified email (inviting needs one).
func (e *env) signUp(t testing.TB, email string) *invites.User {
	t.Helper()
	ctx := context.Background()
	sess, err := e.svc.SignUp(ctx, invites.SignUpInput{Email: email, Password: "correct horse", Name: "Name of " + email})
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.svc.VerifyEmail(ctx, e.linkToken(t, email, "verify-email"))
	if err != nil {
		t.Fatal(err)
	}
	_ = sess
	return u
}

// linkToken is the token of the newest link of kind emailed to recipient.
func (e *env) linkToken(t testing.TB, recipient, kind string) string {
	t.Helper()
	var id uuid.UUID
	var link string
	err := e.db.NewSelect().TableExpr("emails").Column("id", "link").Where("recipient = ?", recipient).
		OrderExpr("created_at DESC, id DESC").Limit(1).Scan(context.Background(), &id, &link)
	if err != nil {
		t.Fatalf("no email to %s: %v", recipient, err)
	}
	if link == "" { // sent already, which wipes the link from the outbox
		link = e.sent.link(id)
	}
	prefix := "https://app.example/" + kind + "/"
	if !strings.HasPrefix(link, prefix) {
		t.Fatalf("link %q is not a %s link", link, kind)
	}
	return strings.TrimPrefix(link, prefix)
}

// invite invites email into project p with role.
func (e *env) invite(t testing.TB, actor uuid.UUID, p uuid.UUID, email string, role invites.Role) *invites.Invite {
	t.Helper()
	inv, err := e.svc.CreateInvite(context.Background(), actor, invites.CreateInviteInput{Email: email, ProjectID: &p, Role: &role})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// join invites email and signs them up with the invite's link: a member with role.
func (e *env) join(t testing.TB, actor, p uuid.UUID, email string, role invites.Role) *invites.User {
	t.Helper()
	e.invite(t, actor, p, email, role)
	sess, err := e.svc.SignUp(context.Background(), invites.SignUpInput{Password: "correct horse", Name: "Joiner",
		InviteToken: e.linkToken(t, email, "invite")})
	if err != nil {
		t.Fatal(err)
	}
	return sess.User
}

// project is a project of a new verified owner, with the owner.
func (e *env) project(t testing.TB) (*invites.User, *invites.Project) {
	t.Helper()
	owner := e.signUp(t, uniqueEmail("owner"))
	p, err := e.svc.CreateProject(context.Background(), owner.ID, "Webhook project")
	if err != nil {
		t.Fatal(err)
	}
	return owner, p
}

// message is one post the receiver took.
type message struct {
	ID      string
	Type    string
	Data    map[string]any
	Body    string
	Secret  string // the secret whose signature matched
	Answer  int
	Arrival time.Time
}

// receiver is a real HTTP server on loopback that checks each post's Standard Webhooks
// signature with its own implementation (verify), against the secrets it is told, and
// answers with what answer says.
type receiver struct {
	t       testing.TB
	mu      sync.Mutex
	secrets []string
	answer  func(n int, m message) int // n: how many posts of this message id came before
	seen    map[string]int
	got     []message
	// nAccepted is how many of got were answered 2xx: waiting for thousands of posts counts
	// them as they come, not by reading got again at each one.
	nAccepted int
	bad       []string
	srv       *http.Server
	ln        net.Listener
	URL       string
	notify    chan struct{}
	// redirect is the Location sent with a 3xx answer.
	redirect string
	// delay is how long each post waits before it is read and answered (a slow receiver),
	// posts in flight together waiting at once; set before the first post.
	delay time.Duration
}

func newReceiver(t testing.TB) *receiver {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{t: t, seen: map[string]int{}, notify: make(chan struct{}, 1),
		answer: func(int, message) int { return http.StatusNoContent }}
	r.URL = "http://" + ln.Addr().String() + "/hook"
	r.serve(ln)
	t.Cleanup(r.down)
	return r
}

func (r *receiver) serve(ln net.Listener) {
	r.ln = ln
	r.srv = &http.Server{Handler: r}
	go r.srv.Serve(ln)
}

// down stops listening: connections are refused until up.
func (r *receiver) down() {
	if r.srv != nil {
		r.srv.Close()
		r.srv = nil
	}
}

// up listens again on the same address.
func (r *receiver) up() {
	ln, err := net.Listen("tcp", strings.TrimSuffix(strings.TrimPrefix(r.URL, "http://"), "/hook"))
	if err != nil {
		r.t.Fatal(err)
	}
	r.serve(ln)
}

func (r *receiver) trust(secret string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets = append(r.secrets, secret)
}

// setAnswer changes how the receiver answers from now on.
func (r *receiver) setAnswer(f func(n int, m message) int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answer = f
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	time.Sleep(r.delay)
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	m := message{ID: req.Header.Get("webhook-id"), Body: string(body), Arrival: time.Now()}
	for _, s := range r.secrets {
		if verify(s, req.Header, body, time.Now()) == nil {
			m.Secret = s
		}
	}
	if m.Secret == "" {
		r.bad = append(r.bad, m.ID)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var payload struct {
		Type      string         `json:"type"`
		Timestamp string         `json:"timestamp"`
		Data      map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &payload); err != nil || payload.Type == "" || payload.Timestamp == "" {
		r.bad = append(r.bad, m.ID)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	m.Type, m.Data = payload.Type, payload.Data
	m.Answer = r.answer(r.seen[m.ID], m)
	r.seen[m.ID]++
	r.got = append(r.got, m)
	if m.Answer/100 == 2 {
		r.nAccepted++
	}
	if m.Answer/100 == 3 {
		w.Header().Set("Location", r.redirect)
	}
	w.WriteHeader(m.Answer)
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// accepted are the posts answered 2xx.
func (r *receiver) accepted() []message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []message
	for _, m := range r.got {
		if m.Answer/100 == 2 {
			out = append(out, m)
		}
	}
	return out
}

// waitFor is how long a test waits for something that must happen (a post, a settled
// delivery): generous, for a machine whose cores other work keeps busy; a wait ends as soon as
// what it waits for has happened.
const waitFor = 60 * time.Second

// waitAccepted waits until n posts were answered 2xx, and returns them.
func (r *receiver) waitAccepted(t testing.TB, n int, within time.Duration) []message {
	t.Helper()
	deadline := time.After(within)
	for {
		r.mu.Lock()
		done := r.nAccepted >= n
		r.mu.Unlock()
		if done {
			return r.accepted()
		}
		select {
		case <-r.notify:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			got := r.accepted()
			t.Fatalf("the receiver accepted %d posts in %s, want %d: %v", len(got), within, n, types(got))
		}
	}
}

func types(ms []message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Type
	}
	return out
}

// verify checks a post per the Standard Webhooks specification, written from the
// specification and not from the server's signer: the signed content is
// "{webhook-id}.{webhook-timestamp}.{body}"; the key is the base64 part of the secret after
// "whsec_"; webhook-signature is a space-delimited list of "v1,{base64 HMAC-SHA256}"; the
// timestamp must be within five minutes.
func verify(secret string, h http.Header, body []byte, now time.Time) error {
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return errors.New("missing headers")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("bad timestamp")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("timestamp out of tolerance")
	}
	if !strings.HasPrefix(secret, "whsec_") {
		return errors.New("not a whsec_ secret")
	}
	key, err := base64.StdEncoding.DecodeString(secret[len("whsec_"):])
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%s.%s", id, ts, body)
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		version, b64, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no signature matches")
}

// deliveries reads an endpoint's delivery log, newest first.
func (e *env) deliveries(t testing.TB, ep *webhooks.Endpoint) []*webhooks.Delivery {
	t.Helper()
	first := 100
	p, err := e.hooks.Deliveries(context.Background(), ep, invites.PageArgs{First: &first})
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

// waitDelivery waits until the delivery of eventType to ep is no longer PENDING.
func (e *env) waitDelivery(t testing.TB, ep *webhooks.Endpoint, eventType string) *webhooks.Delivery {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		for _, d := range e.deliveries(t, ep) {
			if d.EventType == eventType && d.Status != webhooks.Pending {
				return d
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no settled %s delivery", eventType)
	return nil
}

func wantCode(t testing.TB, err error, code invites.Code, field string) {
	t.Helper()
	e, ok := errors.AsType[*invites.Error](err)
	if !ok || e.Code != code || e.Field != field || e.Message == "" {
		t.Fatalf("error = %v, want %s naming %q", err, code, field)
	}
}

// settled waits until ep has n deliveries, none PENDING, and returns them.
func (e *env) settled(t testing.TB, ep *webhooks.Endpoint, n int) []*webhooks.Delivery {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		ds := e.deliveries(t, ep)
		pending := 0
		for _, d := range ds {
			if d.Status == webhooks.Pending {
				pending++
			}
		}
		if len(ds) >= n && pending == 0 {
			return ds
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries, %d pending; want %d settled", len(ds), pending, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// endpoint registers rc for project's events (nil: all) as actor, and has rc trust its secret.
func (e *env) endpoint(t testing.TB, actor, project uuid.UUID, rc *receiver, events []string) *webhooks.Endpoint {
	t.Helper()
	ep, secret, err := e.hooks.Create(context.Background(), actor, project, rc.URL, events)
	if err != nil {
		t.Fatal(err)
	}
	rc.trust(secret)
	return ep
}
