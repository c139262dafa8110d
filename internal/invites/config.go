package invites

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/config"
)

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
	// EventHook hears of tracked events in their transaction (webhook deliveries); nil: none.
	EventHook EventHook
	// Jobs enqueues the domain's own jobs (password-reset requests, recovery_job.go), which
	// Service.Work runs; required.
	Jobs JobInserter
	// Reads chooses the database of the reads that may be a moment old (list pages,
	// previews, insights, node and nodes, activity): a streaming replica when it has what the
	// request's session wrote (internal/readroute); nil: the service's own database.
	Reads ReadRouter
	// Resolver looks up the TXT records that prove project domains; nil: a DNSResolver
	// asking Domain.DNSResolver (DNS_RESOLVER), or the system's nameserver.
	Resolver TXTResolver
}

// ReadRouter chooses the database of a read that may be a moment old, for ctx's request.
type ReadRouter interface {
	Read(ctx context.Context) *bun.DB
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
	if c.Resolver == nil {
		c.Resolver = DNSResolver{Addr: c.DNSResolver}
	}
	if c.EventHook == nil {
		c.EventHook = noEventHook{}
	}
	return c
}
