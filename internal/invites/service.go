// Package invites is the domain of the Invites server: accounts and sessions, projects and
// their members' roles, and invitations into them. It enforces every rule (validation,
// role-based authority, state changes) and stores its state with bun in PostgreSQL; each
// service method runs as one transaction, so a failed call writes nothing.
//
// Errors that a client can act on are *Error values with a Code; any other error is an
// outage or a bug, shown to clients only as INTERNAL.
package invites

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/mail"
)

// Mailer queues emails in the caller's transaction; they are sent after the commit, and a
// rollback drops them. EnqueueManyCopy queues any number in a fixed number of statements,
// writing the emails with copyFrom (COPY in tx).
type Mailer interface {
	Enqueue(ctx context.Context, tx bun.Tx, m mail.Message) (uuid.UUID, error)
	EnqueueManyCopy(ctx context.Context, tx bun.Tx, copyFrom mail.CopyFunc, ms []mail.Message) ([]uuid.UUID, error)
}

// Config holds the service's settings. Zero values take the defaults noted.
type Config struct {
	// AppURL is the front end's address; email links are AppURL + "/verify-email/" + token
	// and AppURL + "/invite/" + token.
	AppURL string
	// SessionTTL is how long a session lasts: 30 days.
	SessionTTL time.Duration
	// VerificationTTL is how long an email verification link works: 7 days.
	VerificationTTL time.Duration
	// LoginFailureLimit failed log-ins for one email within LoginFailureWindow slow the email
	// down: a client that has failed for it k times then waits 2^(k-1) seconds between
	// attempts. Clients that have not failed for it are never held back: 10 in 15 minutes.
	LoginFailureLimit  int
	LoginFailureWindow time.Duration
	// LoginClientFailureLimit failed log-ins from one client address (for any emails) within
	// LoginFailureWindow make its further attempts RATE_LIMITED until the oldest falls out of
	// the window: 20. Negative: no limit.
	LoginClientFailureLimit int
	// SignUpClientLimit caps the sign-ups from one client address per clock hour: 20.
	// Negative: no cap.
	SignUpClientLimit int
	// InviteRecipientDailyLimit caps the invite emails (new and resent) one address may get
	// per UTC day from everyone together: 10. Negative: no cap.
	InviteRecipientDailyLimit int
	// InviteTTL is how long an invite can be claimed: 7 days.
	InviteTTL time.Duration
	// InviteRetention is how long expired, declined and revoked invites are kept before the
	// sweep deletes them: 30 days.
	InviteRetention time.Duration
	// InviteRateLimit caps the invite emails (new and resent) one inviter may send per clock
	// hour, across all replicas: 10,000, so that one full spreadsheet fits. Negative: no cap.
	InviteRateLimit int
	// Password is argon2id's cost: DefaultPasswordParams.
	Password PasswordParams
	// Now is the clock: time.Now. Tests move it to expire things without sleeping.
	Now func() time.Time
	// Observer hears of invites created and claimed, once their transaction has committed
	// (for metrics): none by default.
	Observer Observer
}

// Observer hears of what the service did, after the commit.
type Observer interface {
	InvitesCreated(n int)
	InvitesClaimed(n int)
}

type noObserver struct{}

func (noObserver) InvitesCreated(int) {}
func (noObserver) InvitesClaimed(int) {}

func (c Config) withDefaults() Config {
	if c.AppURL == "" {
		c.AppURL = "http://localhost:8080"
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = 30 * 24 * time.Hour
	}
	if c.VerificationTTL <= 0 {
		c.VerificationTTL = 7 * 24 * time.Hour
	}
	if c.LoginFailureLimit <= 0 {
		c.LoginFailureLimit = 10
	}
	if c.LoginFailureWindow <= 0 {
		c.LoginFailureWindow = 15 * time.Minute
	}
	if c.LoginClientFailureLimit == 0 {
		c.LoginClientFailureLimit = 20
	}
	if c.SignUpClientLimit == 0 {
		c.SignUpClientLimit = 20
	}
	if c.InviteRecipientDailyLimit == 0 {
		c.InviteRecipientDailyLimit = 10
	}
	if c.InviteTTL <= 0 {
		c.InviteTTL = 7 * 24 * time.Hour
	}
	if c.InviteRetention <= 0 {
		c.InviteRetention = 30 * 24 * time.Hour
	}
	if c.InviteRateLimit == 0 {
		c.InviteRateLimit = 10000
	}
	if c.Password == (PasswordParams{}) {
		c.Password = DefaultPasswordParams
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Observer == nil {
		c.Observer = noObserver{}
	}
	return c
}

// Service carries out the domain's operations.
type Service struct {
	db     *bun.DB
	mailer Mailer
	cfg    Config
	// dummyHash is checked against when a log-in names an unknown email, so that the answer
	// takes as long as for a wrong password and does not tell which emails have accounts.
	dummyHash string
}

// New returns a Service that stores its state in db and queues its emails with mailer.
func New(db *bun.DB, mailer Mailer, cfg Config) *Service {
	cfg = cfg.withDefaults()
	return &Service{db: db, mailer: mailer, cfg: cfg, dummyHash: hashPassword("not a password", cfg.Password)}
}

// now is the service clock at PostgreSQL's precision, so that values read back compare equal.
func (s *Service) now() time.Time {
	return s.cfg.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.db.RunInTx(ctx, nil, fn)
}

// isUniqueViolation reports whether err is PostgreSQL's unique_violation (23505) on the named
// constraint or index.
func isUniqueViolation(err error, constraint string) bool {
	pgErr, ok := errors.AsType[*pgconn.PgError](err)
	return ok && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

// advisoryLock serialises transactions that name the same key until they end.
func advisoryLock(ctx context.Context, tx bun.Tx, key string) error {
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(?, 1))", key)
	return err
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// ParseID turns a client's ID into a UUID; an ID that is not one names nothing: NOT_FOUND.
func ParseID(what, id string) (uuid.UUID, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return uuid.Nil, Errorf(NotFound, "%s not found", what)
	}
	return u, nil
}
