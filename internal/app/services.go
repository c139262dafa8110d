package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	gqlgraphql "github.com/99designs/gqlgen/graphql"
	"github.com/uptrace/bun"

	"github.com/invites/invites/graph"
	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/idempotency"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/jobs"
	"github.com/invites/invites/internal/live"
	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/metrics"
	"github.com/invites/invites/internal/readroute"
	"github.com/invites/invites/internal/webhooks"
)

// Options are what tests vary beyond the configuration. The server runs with the zero
// Options: everything then comes from config.Config.
type Options struct {
	// Logger is nil for slog.Default().
	Logger *slog.Logger
	// Sender delivers the emails; nil: SMTP at config.Config.SMTPURL, else the log.
	Sender mail.Sender
	// Now is the domain's clock; nil: time.Now.
	Now func() time.Time
	// Password is argon2id's cost; zero: invites.DefaultPasswordParams.
	Password invites.PasswordParams
	// MailBackoff and WebhookBackoff are the waits between attempts; nil: each package's own.
	MailBackoff, WebhookBackoff func(attempt int) time.Duration
	// Direct is the database for River's client where db is a transaction pooler: River's
	// leader and its fetching need sessions of their own. Nil: db.
	Direct *bun.DB
	// Replica is a streaming replica's pool (DATABASE_READ_URL), for the reads that may be a
	// moment old (internal/readroute); nil: every read goes to db.
	Replica *bun.DB
	// Extensions are added to the GraphQL handler after the metrics'.
	Extensions []gqlgraphql.HandlerExtension
}

// Services are everything the server runs on its database: the domain, the webhooks, the
// email queue, the sweep, the mutations' Idempotency-Keys, the River client that works their
// jobs, and the metrics they report to. Jobs works nothing until Jobs.Start.
type Services struct {
	Invites  *invites.Service
	Webhooks *webhooks.Service
	// Delivery records what mail providers and returned mail report about sent emails: the
	// provider webhooks and the bounce listener hand it their events.
	Delivery *delivery.Service
	Mail     *mail.Queue
	Sweeper  *invites.Sweeper
	Retries  *idempotency.Store
	Jobs     *jobs.Jobs
	Metrics  *metrics.Metrics
	// Reads chooses between the primary and the read replica (Options.Replica); it follows
	// the replica's position only while Reads.Run runs (App runs it).
	Reads *readroute.Router

	cfg  config.Config
	opts Options
}

// NewServices builds the services on db, which must be migrated. Each part gets what it
// depends on when it is built: the jobs' Inserter first, so that the parts that enqueue (the
// webhooks' hook, the email queue, the domain and its sweep) have it, and last the River
// client that works the jobs all of them define.
func NewServices(ctx context.Context, db *bun.DB, cfg config.Config, opts Options) (*Services, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	sender, err := opts.sender(cfg)
	if err != nil {
		return nil, err
	}
	ins, err := jobs.NewInserter(db)
	if err != nil {
		return nil, err
	}
	s := &Services{Metrics: metrics.New(), cfg: cfg, opts: opts}
	hook := webhooks.NewHook(ins) // the domain's events' deliveries, and failed emails'
	s.Webhooks, err = webhooks.New(ctx, db, ins, webhooks.Config{Webhooks: cfg.Webhooks, JobTimeout: cfg.Jobs.JobTimeout,
		PollInterval: cfg.Jobs.PollInterval, Backoff: opts.WebhookBackoff, Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	// The read-your-writes cookie's key: every server behind the primary derives the same.
	s.Reads = readroute.New(db, opts.Replica, readroute.Config{MaxLag: cfg.DatabaseReadMaxLag, Observer: s.Metrics, Logger: opts.Logger,
		CookieKey: s.Webhooks.DerivedKey("read-your-writes cookie")})
	if opts.Replica != nil {
		s.Metrics.ReadReplica(s.Reads.Lag)
	}
	s.Mail, err = mail.NewQueue(db, ins, mail.QueueConfig{Mail: cfg.Mail, Jobs: cfg.Jobs, Sender: sender,
		Logger: opts.Logger, Backoff: opts.MailBackoff, Observer: s.Metrics, FailureHook: hook})
	if err != nil {
		return nil, err
	}
	domain := invites.Config{Domain: cfg.Domain, Password: opts.Password, Now: opts.Now, Observer: s.Metrics, EventHook: hook, Jobs: ins,
		Reads: s.Reads}
	s.Invites = invites.New(db, s.Mail, domain)
	s.Sweeper = invites.NewSweeper(db, s.Mail, domain) // its reminders go to the queue too
	s.Delivery = delivery.New(db, delivery.Config{EventHook: hook, Observer: s.Metrics, Logger: opts.Logger, Now: opts.Now})
	// A request runs for REQUEST_TIMEOUT at most; its key's lease adds a margin for the
	// answer's writing, so that a live run is never taken for a dead one.
	s.Retries, err = idempotency.New(db, idempotency.Config{Idempotency: cfg.Idempotency,
		Lease: cfg.GraphQL.Limits.RequestTimeout + time.Minute, Now: opts.Now})
	if err != nil {
		return nil, err
	}
	direct := opts.Direct
	if direct == nil {
		direct = db
	}
	s.Jobs, err = jobs.New(direct, jobs.Config{Jobs: cfg.Jobs, Logger: opts.Logger},
		s.Mail.Work(), s.Webhooks.Work(), s.Invites.Work(), s.Sweeper.Work(cfg.SweepInterval),
		s.Invites.DomainWork(),
		s.Retries.Work(cfg.SweepInterval))
	if err != nil {
		return nil, err
	}
	return s, nil
}

// sender is Options.Sender, else SMTP where SMTP_URL is set, else the log.
func (o Options) sender(cfg config.Config) (mail.Sender, error) {
	switch {
	case o.Sender != nil:
		return o.Sender, nil
	case cfg.SMTPURL == "":
		return mail.NewLogSender(o.Logger), nil
	}
	sender, err := mail.NewSMTPSender(cfg.SMTPURL, cfg.MailFrom, mail.BounceDomain(cfg.EmailHooks.BounceDomain))
	if err != nil {
		return nil, fmt.Errorf("SMTP_URL: %w", err)
	}
	return sender, nil
}

// GraphQL is the API over the services, as the server serves it at /graphql (inside CORS),
// with its subscriptions served from hub (nil: they answer UNAVAILABLE). With a read replica,
// each request is marked with its session for the read routing (readroute.Router.Middleware).
func (s *Services) GraphQL(hub *live.Hub) http.Handler {
	resolver := &graph.Resolver{Service: s.Invites, Webhooks: s.Webhooks}
	if hub != nil {
		resolver.Live = &graph.Live{Hub: hub, Limits: s.cfg.GraphQL.Live}
	}
	extensions := []gqlgraphql.HandlerExtension{s.Metrics.Extension()}
	if s.opts.Replica != nil {
		extensions = append(extensions, s.Reads.Extension())
	}
	h := graph.NewHandler(resolver, graph.HandlerOptions{
		GraphQL:    s.cfg.GraphQL,
		Logger:     s.opts.Logger,
		Extensions: append(extensions, s.opts.Extensions...),
		Retries:    s.Retries,
	})
	if s.opts.Replica == nil {
		return h
	}
	return s.Reads.Middleware(s.clientAddr, h)
}

// clientAddr is the request's client address as the API's limits see it (TRUSTED_PROXIES),
// one of the keys of its session's read-your-writes.
func (s *Services) clientAddr(r *http.Request) string {
	if a := graph.ClientAddr(r, s.cfg.GraphQL.TrustedProxies); a.IsValid() {
		return a.String()
	}
	return ""
}
