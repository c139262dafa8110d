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

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/mail"
)

// Mailer queues emails in the caller's transaction; they are sent after the commit, and a
// rollback drops them. EnqueueManyCopy queues any number in a fixed number of statements,
// writing the emails with copyFrom (COPY in tx).
type Mailer interface {
	Enqueue(ctx context.Context, tx bun.Tx, m mail.Message) (uuid.UUID, error)
	EnqueueManyCopy(ctx context.Context, tx bun.Tx, copyFrom mail.CopyFunc, ms []mail.Message) ([]uuid.UUID, error)
}

// Config is the service's settings (config.Domain, from config.Default or config.Load, taken
// as given: a zero cap means no cap) and what it runs with.
type Config struct {
	config.Domain
	// Password is argon2id's cost; zero: DefaultPasswordParams. Tests make it cheap.
	Password PasswordParams
	// Now is the clock; nil: time.Now. Tests move it to expire things without sleeping.
	Now func() time.Time
	// Observer hears of invites created and claimed, once their transaction has committed
	// (for metrics); nil: none.
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

// withDependencies fills in what cfg runs with where it gives none; its settings are used as
// they are.
func (c Config) withDependencies() Config {
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
	cfg = cfg.withDependencies()
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
