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
// writing the emails with copyFrom (COPY in tx). Prepare makes emails ready for a statement
// that writes their rows with other rows (mail.Outbox), in a transaction that then sends them.
type Mailer interface {
	Enqueue(ctx context.Context, tx bun.Tx, m mail.Message) (uuid.UUID, error)
	Prepare(ms ...mail.Message) (*mail.Outbox, error)
	EnqueueManyCopy(ctx context.Context, tx bun.Tx, copyFrom mail.CopyFunc, ms []mail.Message) ([]uuid.UUID, error)
}

// Service is the domain's operations, one service per aggregate: accounts and sessions,
// projects and their members, invites and their claims, bulk invites, and the lookups that
// the GraphQL layer's loaders batch. The embedding lets a caller hold one value and call any
// operation on it; each service's methods are in the files its doc comment names.
type Service struct {
	*AccountService
	*ProjectService
	*InviteService
	*BulkService
	*LinkService
	*LookupService
	*ConsoleService
	*DomainService
	*JoinRequestService
}

// AccountService signs people up, verifies their emails, starts, checks and ends their
// sessions, and resets and changes their passwords (accounts.go, sessions.go, limits.go,
// recovery.go).
type AccountService struct {
	*core
	// dummyHash is checked against when a log-in names an unknown email, so that the answer
	// takes as long as for a wrong password and does not tell which emails have accounts.
	dummyHash string
}

// ProjectService creates projects and manages their members and reads their activity
// (projects.go, members.go, events.go).
type ProjectService struct{ *core }

// InviteService sends, lists, revokes and resends invites, and claims and declines them for
// their invitees (invites*.go, claims.go).
type InviteService struct{ *core }

// BulkService invites the rows of a list or a CSV file at once (bulk*.go).
type BulkService struct{ *core }

// LinkService creates, lists and revokes shareable invite links, and joins people through
// them (links.go).
type LinkService struct{ *core }

// ConsoleService serves a project's console beyond its lists: actions on many rows at once
// (bulk_actions.go) and the figures of its invitations (insights.go).
type ConsoleService struct {
	*core
	// invites runs each row of an action on many invites as the single action does.
	invites *InviteService
}

// LookupService reads what the GraphQL layer's loaders ask for in batches, under the
// visibility rules (nodes.go, lookup.go).
type LookupService struct{ *core }

// core is what every service shares: the database, the mail queue, the settings and the
// clock (now). The per-project lock is in lock.go, the errors in errors.go.
type core struct {
	db     *bun.DB
	mailer Mailer
	cfg    Config
}

// New returns a Service that stores its state in db and queues its emails with mailer.
func New(db *bun.DB, mailer Mailer, cfg Config) *Service {
	cfg = cfg.withDependencies()
	c := &core{db: db, mailer: mailer, cfg: cfg}
	inviteService := &InviteService{c}
	return &Service{
		AccountService:     &AccountService{core: c, dummyHash: hashPassword("not a password", cfg.Password)},
		ProjectService:     &ProjectService{c},
		InviteService:      inviteService,
		BulkService:        &BulkService{c},
		LinkService:        &LinkService{c},
		LookupService:      &LookupService{c},
		ConsoleService:     &ConsoleService{core: c, invites: inviteService},
		JoinRequestService: &JoinRequestService{c},
		DomainService:      &DomainService{c},
	}
}

// now is the service clock at PostgreSQL's precision, so that values read back compare equal.
func (s *core) now() time.Time {
	return s.cfg.Now().UTC().Truncate(time.Microsecond)
}

// read is the database of a read that may be a moment old (Config.Reads): a streaming
// replica's, or the primary's. What a write depends on never reads through it: a mutation's
// reads all go to the primary, and a transaction runs on s.db.
func (s *core) read(ctx context.Context) *bun.DB {
	if s.cfg.Reads == nil {
		return s.db
	}
	return s.cfg.Reads.Read(ctx)
}

func (s *core) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.db.RunInTx(ctx, nil, fn)
}

// isUniqueViolation reports whether err is PostgreSQL's unique_violation (23505) on the named
// constraint or index.
func isUniqueViolation(err error, constraint string) bool {
	pgErr, ok := errors.AsType[*pgconn.PgError](err)
	return ok && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// ParseID turns a client's ID into a UUID; an ID that is not one names nothing: NOT_FOUND. So
// does a project ID naming the service project, which is no project to a user.
func ParseID(what, id string) (uuid.UUID, error) {
	u, err := uuid.Parse(id)
	if err != nil || what == "project" && IsServiceProject(u) {
		return uuid.Nil, Errorf(NotFound, "%s not found", what)
	}
	return u, nil
}
