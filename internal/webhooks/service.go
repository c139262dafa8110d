package webhooks

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/jobs"
)

// Config is the service's settings (config.Webhooks, taken as given) and what it runs with.
type Config struct {
	config.Webhooks
	// Backoff is the wait after failed attempt number attempt (from 1) before the next; nil:
	// DefaultBackoff. Its length bounds the attempts: when it returns a negative duration,
	// the delivery is FAILED.
	Backoff func(attempt int) time.Duration
	// Resolver resolves endpoints' host names; nil: net.DefaultResolver.
	Resolver *net.Resolver
	// Logger hears of deliveries that end FAILED; nil: slog.Default().
	Logger *slog.Logger
}

// Endpoint is where a project's events are posted.
type Endpoint struct {
	bun.BaseModel `bun:"table:webhook_endpoints,alias:we"`

	ID              uuid.UUID `bun:"id,pk,type:uuid"`
	ProjectID       uuid.UUID `bun:"project_id,type:uuid"`
	URL             string    `bun:"url"`
	Events          []string  `bun:"events,array"`
	Enabled         bool      `bun:"enabled"`
	SecretEncrypted []byte    `bun:"secret_encrypted"`
	CreatedAt       time.Time `bun:"created_at"`
	UpdatedAt       time.Time `bun:"updated_at"`
}

// Status is where a delivery stands.
type Status string

const (
	Pending   Status = "PENDING"
	Succeeded Status = "SUCCEEDED"
	Failed    Status = "FAILED"
)

// Delivery is one event posted (or being posted) to one endpoint.
type Delivery struct {
	bun.BaseModel `bun:"table:webhook_deliveries,alias:wd"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	EndpointID     uuid.UUID  `bun:"endpoint_id,type:uuid"`
	EventID        uuid.UUID  `bun:"event_id,type:uuid"`
	EventType      string     `bun:"event_type"`
	Payload        []byte     `bun:"payload,type:jsonb"`
	Status         Status     `bun:"status"`
	Attempts       int        `bun:"attempts"`
	ResponseStatus *int       `bun:"response_status"`
	LastError      *string    `bun:"last_error"`
	CreatedAt      time.Time  `bun:"created_at"`
	DeliveredAt    *time.Time `bun:"delivered_at"`
	NextAttemptAt  *time.Time `bun:"next_attempt_at"`
}

// Service manages endpoints and their deliveries' log, and posts the deliveries that Hook
// queues, from the workers it gives the process's River client (Work).
type Service struct {
	db      *bun.DB
	jobs    *jobs.Inserter
	keys    *keyring
	rules   urlRules
	http    *http.Client
	backoff func(int) time.Duration
	log     *slog.Logger
	timeout time.Duration
	workers int
}

// queueName is the River queue of deliveries, apart from the emails' so that neither waits
// behind the other.
const queueName = "webhooks"

// DefaultBackoff waits 5 seconds after the first failure, then longer each time (30s, 2m,
// 10m, 30m, 1h, 2h, 4h, 8h, 8h): the last attempt comes about a day after the first; after
// it, the delivery is FAILED.
func DefaultBackoff(attempt int) time.Duration {
	schedule := []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 8 * time.Hour}
	if attempt < 1 || attempt > len(schedule) {
		return -1
	}
	return schedule[attempt-1]
}

// maxAttempts is River's bound; the backoff ends deliveries sooner.
const maxAttempts = 100

// New builds the service on db, inserting its jobs (a retry) through ins. Deliveries are
// posted by the River client that runs Work, while it runs.
func New(ctx context.Context, db *bun.DB, ins *jobs.Inserter, cfg Config) (*Service, error) {
	key := cfg.SecretKey
	if key == nil {
		var err error
		if key, err = storedKey(ctx, db); err != nil {
			return nil, err
		}
	}
	keys, err := newKeyring(key)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 || cfg.Workers <= 0 {
		return nil, errors.New("webhooks: Timeout and Workers must be positive")
	}
	resolver := cfg.Resolver
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	backoff := cfg.Backoff
	if backoff == nil {
		backoff = DefaultBackoff
	}
	rules := urlRules{allowLoopback: cfg.AllowLoopback, resolver: resolver}
	transport := &http.Transport{
		DialContext:           rules.dialer().DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConnsPerHost:   cfg.Workers,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
	}
	s := &Service{db: db, jobs: ins, keys: keys, rules: rules, backoff: backoff, log: logger, timeout: cfg.Timeout, workers: cfg.Workers,
		http: &http.Client{
			Transport: transport,
			Timeout:   cfg.Timeout,
			// No redirect is followed: the answer to the first request is the outcome.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}}
	return s, nil
}

// Work is the delivery worker, on a River queue of its own with Config.Workers of them, for
// the process's River client.
func (s *Service) Work() jobs.Work {
	return jobs.Work{
		Workers: func(w *river.Workers) { river.AddWorker(w, &deliverWorker{s: s}) },
		Queues:  map[string]river.QueueConfig{queueName: {MaxWorkers: s.workers}},
	}
}

// Endpoints lists a project's endpoints, oldest first.
//
// Errors: NOT_FOUND (not a member), FORBIDDEN (below ADMIN).
func (s *Service) Endpoints(ctx context.Context, viewer, projectID uuid.UUID) ([]*Endpoint, error) {
	if _, err := invites.RequireRole(ctx, s.db, projectID, viewer, invites.MinRoleToManageWebhooks); err != nil {
		return nil, err
	}
	eps := []*Endpoint{}
	err := s.db.NewSelect().Model(&eps).Where("project_id = ?", projectID).OrderExpr("created_at, id").Scan(ctx)
	return eps, err
}

// Create registers an endpoint, enabled, and returns it with its secret, which is shown only
// here.
//
// Errors: NOT_FOUND, FORBIDDEN (below ADMIN), BAD_USER_INPUT (url, events).
func (s *Service) Create(ctx context.Context, viewer, projectID uuid.UUID, rawURL string, events []string) (*Endpoint, string, error) {
	if _, err := invites.RequireRole(ctx, s.db, projectID, viewer, invites.MinRoleToManageWebhooks); err != nil {
		return nil, "", err
	}
	u, err := s.rules.check(ctx, rawURL)
	if err != nil {
		return nil, "", err
	}
	if events, err = checkEvents(events); err != nil {
		return nil, "", err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	id := uuid.Must(uuid.NewV7())
	secret := newSecret()
	ep := &Endpoint{ID: id, ProjectID: projectID, URL: u, Events: events, Enabled: true,
		SecretEncrypted: s.keys.seal(id, secret), CreatedAt: now, UpdatedAt: now}
	if _, err := s.db.NewInsert().Model(ep).Exec(ctx); err != nil {
		return nil, "", err
	}
	return ep, secret, nil
}

// Update changes what is given of an endpoint: its URL, its events (nil: unchanged; empty:
// all), whether it is enabled.
//
// Errors: NOT_FOUND, FORBIDDEN (below ADMIN), BAD_USER_INPUT (url, events).
func (s *Service) Update(ctx context.Context, viewer, id uuid.UUID, rawURL *string, events []string, enabled *bool) (*Endpoint, error) {
	ep, err := s.endpointFor(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if rawURL != nil {
		if ep.URL, err = s.rules.check(ctx, *rawURL); err != nil {
			return nil, err
		}
	}
	if events != nil {
		if ep.Events, err = checkEvents(events); err != nil {
			return nil, err
		}
	}
	if enabled != nil {
		ep.Enabled = *enabled
	}
	ep.UpdatedAt = time.Now().UTC().Truncate(time.Microsecond)
	_, err = s.db.NewUpdate().Model(ep).Column("url", "events", "enabled", "updated_at").WherePK().Exec(ctx)
	return ep, err
}

// Rotate gives an endpoint a new secret, returned only here; the old one signs nothing more,
// retries of earlier deliveries included.
//
// Errors: NOT_FOUND, FORBIDDEN (below ADMIN).
func (s *Service) Rotate(ctx context.Context, viewer, id uuid.UUID) (*Endpoint, string, error) {
	ep, err := s.endpointFor(ctx, viewer, id)
	if err != nil {
		return nil, "", err
	}
	secret := newSecret()
	ep.SecretEncrypted = s.keys.seal(ep.ID, secret)
	ep.UpdatedAt = time.Now().UTC().Truncate(time.Microsecond)
	if _, err := s.db.NewUpdate().Model(ep).Column("secret_encrypted", "updated_at").WherePK().Exec(ctx); err != nil {
		return nil, "", err
	}
	return ep, secret, nil
}

// Delete removes an endpoint and its delivery log; deliveries still queued are dropped.
//
// Errors: NOT_FOUND, FORBIDDEN (below ADMIN).
func (s *Service) Delete(ctx context.Context, viewer, id uuid.UUID) error {
	ep, err := s.endpointFor(ctx, viewer, id)
	if err != nil {
		return err
	}
	_, err = s.db.NewDelete().Model(ep).WherePK().Exec(ctx)
	return err
}

// Retry sends a FAILED delivery again now, with a fresh run of attempts.
//
// Errors: NOT_FOUND, FORBIDDEN (below ADMIN), BAD_USER_INPUT (id: not FAILED).
func (s *Service) Retry(ctx context.Context, viewer, id uuid.UUID) (*Delivery, error) {
	d, err := s.deliveryFor(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model(d).
			Set("status = ?, next_attempt_at = now()", Pending).
			Where("id = ? AND status = ?", d.ID, Failed).Returning("*").Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return invites.Invalid("id", "only a FAILED delivery is retried; this one is %s", d.Status)
		}
		return s.jobs.Insert(ctx, tx, deliverArgs{DeliveryID: d.ID}, nil)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// Endpoint is the endpoint with id for its project's ADMIN and above; nil (no error) for
// anyone else or none, as node() shows it.
func (s *Service) Endpoint(ctx context.Context, viewer, id uuid.UUID) (*Endpoint, error) {
	ep, err := s.endpointFor(ctx, viewer, id)
	if invites.ErrorCode(err) == invites.NotFound || invites.ErrorCode(err) == invites.Forbidden {
		return nil, nil
	}
	return ep, err
}

// Delivery is the delivery with id for its project's ADMIN and above; nil for anyone else.
func (s *Service) Delivery(ctx context.Context, viewer, id uuid.UUID) (*Delivery, error) {
	d, err := s.deliveryFor(ctx, viewer, id)
	if invites.ErrorCode(err) == invites.NotFound || invites.ErrorCode(err) == invites.Forbidden {
		return nil, nil
	}
	return d, err
}

// Deliveries lists an endpoint's deliveries, newest first; ep was read through the rules
// (Endpoints, Endpoint).
func (s *Service) Deliveries(ctx context.Context, ep *Endpoint, args invites.PageArgs) (*invites.Page[*Delivery], error) {
	q := s.db.NewSelect().Model((*Delivery)(nil))
	return invites.FetchPage(ctx, s.db, q, "webhook_deliveries AS wd", "wd.created_at", "wd.id",
		"wd.endpoint_id = ?", []any{ep.ID}, args, func(d *Delivery) (time.Time, uuid.UUID) { return d.CreatedAt, d.ID })
}

// endpointFor reads an endpoint that viewer may manage: NOT_FOUND for a stranger to its
// project (or none), FORBIDDEN below ADMIN.
func (s *Service) endpointFor(ctx context.Context, viewer, id uuid.UUID) (*Endpoint, error) {
	ep := new(Endpoint)
	if err := s.db.NewSelect().Model(ep).Where("id = ?", id).Scan(ctx); errors.Is(err, sql.ErrNoRows) {
		return nil, invites.Errorf(invites.NotFound, "webhook endpoint not found")
	} else if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, viewer, ep.ProjectID, "webhook endpoint"); err != nil {
		return nil, err
	}
	return ep, nil
}

func (s *Service) deliveryFor(ctx context.Context, viewer, id uuid.UUID) (*Delivery, error) {
	var d struct {
		Delivery
		ProjectID uuid.UUID `bun:"project_id,type:uuid"`
	}
	err := s.db.NewSelect().Model(&d.Delivery).ColumnExpr("wd.*").ColumnExpr("we.project_id").
		Join("JOIN webhook_endpoints AS we ON we.id = wd.endpoint_id").Where("wd.id = ?", id).Scan(ctx, &d)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, invites.Errorf(invites.NotFound, "webhook delivery not found")
	} else if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, viewer, d.ProjectID, "webhook delivery"); err != nil {
		return nil, err
	}
	return &d.Delivery, nil
}

// authorize applies MinRoleToManageWebhooks; a stranger learns only that what was asked for
// is not found.
func (s *Service) authorize(ctx context.Context, viewer, projectID uuid.UUID, what string) error {
	_, err := invites.RequireRole(ctx, s.db, projectID, viewer, invites.MinRoleToManageWebhooks)
	if invites.ErrorCode(err) == invites.NotFound {
		return invites.Errorf(invites.NotFound, "%s not found", what)
	}
	return err
}

// Nodes returns, by ID, the endpoints and deliveries among ids that viewer may see (ADMIN and
// above of their project), in two statements whatever their number.
func (s *Service) Nodes(ctx context.Context, viewer uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]any, error) {
	out := map[uuid.UUID]any{}
	if len(ids) == 0 {
		return out, nil
	}
	roles := rolesAtLeast(invites.MinRoleToManageWebhooks)
	admin := "EXISTS (SELECT 1 FROM project_members AS pm WHERE pm.project_id = we.project_id AND pm.user_id = ? AND pm.role IN (?))"
	var eps []*Endpoint
	if err := s.db.NewSelect().Model(&eps).Where("we.id IN (?)", bun.In(ids)).Where(admin, viewer, bun.In(roles)).Scan(ctx); err != nil {
		return nil, err
	}
	for _, ep := range eps {
		out[ep.ID] = ep
	}
	var ds []*Delivery
	err := s.db.NewSelect().Model(&ds).Join("JOIN webhook_endpoints AS we ON we.id = wd.endpoint_id").
		Where("wd.id IN (?)", bun.In(ids)).Where(admin, viewer, bun.In(roles)).Scan(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		out[d.ID] = d
	}
	return out, nil
}

// rolesAtLeast are the roles that pass min.
func rolesAtLeast(min invites.Role) []string {
	var out []string
	for _, r := range []invites.Role{invites.RolePending, invites.RoleContributor, invites.RoleAdmin, invites.RoleOwner} {
		if r.AtLeast(min) {
			out = append(out, string(r))
		}
	}
	return out
}
