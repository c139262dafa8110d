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
	// JobTimeout is how long one run of a batch job goes on (config.Jobs.JobTimeout): then it
	// finishes the post in flight, records what it posted and goes on in its next run.
	JobTimeout time.Duration
	// PollInterval is how often the River client looks for jobs (config.Jobs.PollInterval):
	// the webhooks queue looks more often, every queuePollInterval, when that is shorter.
	PollInterval time.Duration
	// Backoff is the wait after failed attempt number attempt (from 1) before the next; nil:
	// DefaultBackoff. Its length bounds the attempts: when it returns a negative duration,
	// the delivery is FAILED.
	Backoff func(attempt int) time.Duration
	// Resolver resolves endpoints' host names; nil: net.DefaultResolver.
	Resolver *net.Resolver
	// Logger hears of deliveries that end FAILED; nil: slog.Default().
	Logger *slog.Logger
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
	ProjectID      uuid.UUID  `bun:"project_id,type:uuid"`
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
	// ClaimedBy is the River job posting it now, until ClaimedUntil (claim.go); nil between
	// attempts.
	ClaimedBy    *int64     `bun:"claimed_by"`
	ClaimedUntil *time.Time `bun:"claimed_until"`
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
	// jobTimeout bounds a run of a batch job.
	jobTimeout time.Duration
	// poll is how often the webhooks queue looks for jobs; 0: as often as the client's others.
	poll time.Duration
	// claims holds a token for each batch claim's transaction open (claimTransactions).
	claims chan struct{}
	// endpointConcurrency is how many posts a batch job has in flight at once.
	endpointConcurrency int
	workers             int
	// endpointLimit is the most endpoints one project may have.
	endpointLimit int
}

// DerivedKey is a 32-byte key for purpose, derived from the key that encrypts the endpoints'
// secrets (WEBHOOK_SECRET_KEY, or the one stored in webhook_settings): every server of an
// installation has the same one with no setting of its own, and no two purposes share a key.
func (s *Service) DerivedKey(purpose string) []byte { return s.keys.derive(purpose) }

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
	if cfg.Timeout <= 0 || cfg.Workers <= 0 || cfg.EndpointLimit <= 0 || cfg.EndpointConcurrency <= 0 || cfg.JobTimeout <= 0 {
		return nil, errors.New("webhooks: Timeout, Workers, EndpointLimit, EndpointConcurrency and JobTimeout must be positive")
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
		DialContext:       rules.dialer().DialContext,
		ForceAttemptHTTP2: true,
		// Every post in flight may keep its connection: the retries' workers' and the batches'.
		MaxIdleConnsPerHost:   cfg.Workers + claimTransactions*cfg.EndpointConcurrency,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
	}
	s := &Service{db: db, jobs: ins, keys: keys, rules: rules, backoff: backoff, log: logger, timeout: cfg.Timeout, workers: cfg.Workers,
		jobTimeout:          cfg.JobTimeout,
		poll:                queuePoll(cfg.PollInterval),
		claims:              make(chan struct{}, claimTransactions),
		endpointConcurrency: cfg.EndpointConcurrency,
		endpointLimit:       cfg.EndpointLimit,
		http: &http.Client{
			Transport: transport,
			Timeout:   cfg.Timeout,
			// No redirect is followed: the answer to the first request is the outcome.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}}
	return s, nil
}

// Work is the delivery workers, on a River queue of their own with Config.Workers of them, for
// the process's River client: the batch jobs that make the deliveries' first attempts, and the
// jobs of one delivery that make its retries.
func (s *Service) Work() jobs.Work {
	return jobs.Work{
		Workers: func(w *river.Workers) {
			river.AddWorker(w, &batchWorker{s: s})
			river.AddWorker(w, &deliverWorker{s: s})
		},
		Queues: map[string]river.QueueConfig{queueName: {MaxWorkers: s.workers, FetchPollInterval: s.poll, FetchCooldown: s.poll}},
	}
}

// queuePollInterval is how often the webhooks queue looks for jobs when the client's poll
// interval is longer: River over database/sql has no LISTEN, so a batch job waits for the next
// poll after the commit that queued it, up to 1 second at the client's default, a fifth of the
// 5 seconds in which a fast receiver gets a 10,000-row bulk invite's posts. Polling ten times
// a second costs each process ten of River's fetch statements a second on an idle database
// (an UPDATE of no row through river_job's queue index), and a batch job waits 50 ms on
// average.
const queuePollInterval = 100 * time.Millisecond

// queuePoll is the webhooks queue's poll interval for a client polling every client: 0 (the
// client's) when that is as short as queuePollInterval already.
func queuePoll(client time.Duration) time.Duration {
	if client > 0 && client <= queuePollInterval {
		return 0
	}
	return queuePollInterval
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
