package webhooks

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/invites"
)

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

// Endpoints lists a project's endpoints, oldest first: at most EndpointLimit of them (Create
// keeps to it), each with a URL of at most MaxURLLength bytes, so that the answer is small
// whatever the project's admins stored.
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

// EndpointLimit is the most endpoints one project may have (config.Webhooks.EndpointLimit):
// the size of Endpoints' answer, which the query cost counts.
func (s *Service) EndpointLimit() int { return s.endpointLimit }

// Create registers an endpoint, enabled, and returns it with its secret, which is shown only
// here. A project has at most EndpointLimit endpoints, however many creates run at once.
//
// Errors: NOT_FOUND, FORBIDDEN (below ADMIN), BAD_USER_INPUT (url, events; projectId with
// reason LIMIT_EXCEEDED when the project has EndpointLimit endpoints).
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
	if err := s.insertWithinLimit(ctx, ep); err != nil {
		return nil, "", err
	}
	return ep, secret, nil
}

// insertWithinLimit inserts ep unless its project has EndpointLimit endpoints. The project's
// row lock queues concurrent creates for one project, and each counts in a statement after
// taking it, so that it sees what the one before it committed: the count cannot be passed.
func (s *Service) insertWithinLimit(ctx context.Context, ep *Endpoint) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewRaw("SELECT 1 FROM projects WHERE id = ? FOR NO KEY UPDATE", ep.ProjectID).Exec(ctx); err != nil {
			return err
		}
		n, err := tx.NewSelect().Model((*Endpoint)(nil)).Where("project_id = ?", ep.ProjectID).Count(ctx)
		if err != nil {
			return err
		}
		if n >= int64(s.endpointLimit) {
			return invites.OverLimit("projectId", "this project has %d webhook endpoints, the most it may have; remove one before adding another", n)
		}
		_, err = tx.NewInsert().Model(ep).Exec(ctx)
		return err
	})
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
	// The project's row first, as the delete's trigger (the count of enabled endpoints) and
	// an invite's write take it: locking the endpoint's row first would deadlock with an
	// invite whose delivery's foreign key waits for that row while holding the project's.
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewRaw("SELECT 1 FROM projects WHERE id = ? FOR NO KEY UPDATE", ep.ProjectID).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewDelete().Model(ep).WherePK().Exec(ctx)
		return err
	})
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
