package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/invites"
)

// Observer counts events by provider, kind and outcome (matched, unmatched, duplicate): the
// metrics' delivery events.
type Observer interface {
	DeliveryEvent(provider, kind, outcome string)
}

// The outcomes an Observer hears of.
const (
	OutcomeMatched   = "matched"
	OutcomeUnmatched = "unmatched"
	OutcomeDuplicate = "duplicate"
)

// Config is what a Service runs with. Every field is optional.
type Config struct {
	// EventHook hears of the activity events that deliveries, bounces and complaints of
	// invites record (webhooks' invite.delivered, invite.bounced, invite.complained).
	EventHook invites.EventHook
	Observer  Observer
	Logger    *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// MatchWindow is how far back an event matched by recipient and time looks for the email
	// (7 days when zero).
	MatchWindow time.Duration
}

// Service records what providers and returned mail report about emails (Recorder): each event
// joined to its email, once; the email's status moved forward only; the address suppressed
// after a hard bounce, a complaint or three soft bounces in seven days; and, for an invite's
// email, an activity event and its webhooks. Every Record is one transaction.
type Service struct {
	db  *bun.DB
	cfg Config
}

var _ Recorder = (*Service)(nil)

// softBounceWindow and softBounceLimit: three soft bounces within seven days suppress.
const (
	softBounceWindow = 7 * 24 * time.Hour
	softBounceLimit  = 3
)

// New returns the Service on db.
func New(db *bun.DB, cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MatchWindow <= 0 {
		cfg.MatchWindow = 7 * 24 * time.Hour
	}
	return &Service{db: db, cfg: cfg}
}

// Record joins e to its email and records it (see Service). An event that names no email of
// ours is counted and logged, and answers matched false with no error: the provider should
// not retry it. A repeat of an event already recorded changes nothing and answers matched.
func (s *Service) Record(ctx context.Context, e Event) (matched bool, err error) {
	if !validKind(e.Kind) {
		return false, fmt.Errorf("delivery: unknown event kind %q", e.Kind)
	}
	e.Provider = strings.ToLower(strings.TrimSpace(e.Provider))
	e.Recipient = strings.ToLower(strings.TrimSpace(e.Recipient))
	if e.At.IsZero() {
		e.At = s.cfg.Now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	outcome := OutcomeMatched
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		em, err := matchEmail(ctx, tx, e, s.cfg.MatchWindow)
		if errors.Is(err, errNoMatch) {
			outcome = OutcomeUnmatched
			return nil
		}
		if err != nil {
			return err
		}
		fresh, err := s.apply(ctx, tx, e, em)
		if err == nil && !fresh {
			outcome = OutcomeDuplicate
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("delivery: record %s %s event: %w", e.Provider, e.Kind, err)
	}
	s.observe(ctx, e, outcome)
	return outcome != OutcomeUnmatched, nil
}

// apply records e about em in tx: false, and nothing written, for a repeat.
func (s *Service) apply(ctx context.Context, tx bun.Tx, e Event, em *matchedEmail) (bool, error) {
	fresh, err := insertEvent(ctx, tx, e, em, s.cfg.Now())
	if err != nil || !fresh {
		return false, err
	}
	moved := false
	if st, ok := statusOf(e.Kind); ok {
		if moved, err = advance(ctx, tx, em.ID, st, e); err != nil {
			return false, err
		}
	}
	if err := s.suppressAfter(ctx, tx, e, em); err != nil {
		return false, err
	}
	if moved {
		if err := s.recordActivity(ctx, tx, e, em); err != nil {
			return false, err
		}
	}
	return true, nil
}

func (s *Service) observe(ctx context.Context, e Event, outcome string) {
	if outcome == OutcomeUnmatched {
		s.cfg.Logger.WarnContext(ctx, "delivery event matches no email", "provider", e.Provider, "kind", e.Kind,
			"event_id", e.ID, "message_id", e.MessageID, "email_id", e.EmailID, "recipient", e.Recipient, "at", e.At)
	}
	if s.cfg.Observer != nil {
		s.cfg.Observer.DeliveryEvent(e.Provider, string(e.Kind), outcome)
	}
}

// eventKey is what tells one event from its repeats: the provider's own ID, or else the
// event's kind, message, recipient and time.
func eventKey(e Event, emailID uuid.UUID) string {
	if e.ID != "" {
		return "id:" + e.ID
	}
	return fmt.Sprintf("k:%s|%s|%s|%s", e.Kind, emailID, e.Recipient, e.At.Format(time.RFC3339Nano))
}
