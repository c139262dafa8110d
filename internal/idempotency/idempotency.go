// Package idempotency makes retries safe (SPEC §7, and the IETF httpapi draft "The
// Idempotency-Key HTTP Header Field"): a request sent with an Idempotency-Key is remembered,
// with a fingerprint of its body, and once it has run, with its answer. Then, for the same
// caller and key:
//
//   - the same body again gets the stored answer, and does not run again (Replay);
//   - another body is refused: the key was meant for one request only (Reused, HTTP 422);
//   - the same body while the first request still runs is refused rather than run twice
//     (InFlight, HTTP 409); the client retries a moment later.
//
// Keys are kept for Config.TTL from their first request, then swept (Work). Two requests
// racing for one key are decided by PostgreSQL: one INSERT ... ON CONFLICT claims the key,
// so exactly one of them runs, on however many replicas.
//
// What HTTP means by "caller" and "body" is the caller's business (graph builds a Request);
// this package keeps nothing that is usable without the request itself (see Request).
package idempotency

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/config"
)

// Config is the store's settings (config.Idempotency, taken as given) and what it runs with.
type Config struct {
	config.Idempotency
	// Lease is how long a run holds its key: a key still running after it is taken for the
	// run of a process that died, and a retry with the same body may run again. It must be
	// longer than any request may run (graph's REQUEST_TIMEOUT).
	Lease time.Duration
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Store keeps the keys, in PostgreSQL's idempotency_keys.
type Store struct {
	db  *bun.DB
	cfg Config
}

// New returns the store on db, which must be migrated.
func New(db *bun.DB, cfg Config) (*Store, error) {
	if cfg.TTL <= 0 || cfg.Lease <= 0 || cfg.MaxAnswerBytes <= 0 {
		return nil, fmt.Errorf("idempotency: TTL (%s), Lease (%s) and MaxAnswerBytes (%d) must be positive", cfg.TTL, cfg.Lease, cfg.MaxAnswerBytes)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Store{db: db, cfg: cfg}, nil
}

// Outcome is what Begin decided for a request.
type Outcome int

const (
	// Run: the key is the request's now. Run it, then Complete its Claim with the answer, or
	// Release it when it failed in a way a retry should not be answered with.
	Run Outcome = iota
	// Replay: the request ran before; Result.Answer is its answer.
	Replay
	// Reused: the key was used before with another body (IDEMPOTENCY_KEY_REUSED, HTTP 422).
	Reused
	// InFlight: a request with this key and body is running now (HTTP 409).
	InFlight
)

// Answer is a request's answer as it was sent: what a replay sends again.
type Answer struct {
	Status      int
	ContentType string
	Body        []byte
}

// Result is Begin's decision: the Answer to replay, or the Claim of a run.
type Result struct {
	Outcome Outcome
	Answer  Answer
	Claim   *Claim
}

// Begin claims q's key for one run, or says why q must not run: the answer it had, a body
// other than the key's, a run still going.
func (s *Store) Begin(ctx context.Context, q Request) (Result, error) {
	// At most a few rounds: a key's row can go between the claim and the read (its run let it
	// go, or the sweep took it), and then the key is free to claim again.
	for range 3 {
		claimed, err := s.claim(ctx, q)
		if err != nil {
			return Result{}, err
		}
		if claimed {
			return Result{Outcome: Run, Claim: &Claim{store: s, req: q}}, nil
		}
		r, found, err := s.read(ctx, q)
		if err != nil || found {
			return r, err
		}
	}
	return Result{Outcome: InFlight}, nil
}

// claim inserts q's row, or takes over one that is free: expired (not swept yet), or left
// running past its lease by a process that died, for the same body.
func (s *Store) claim(ctx context.Context, q Request) (bool, error) {
	now := s.cfg.Now()
	var claimed bool
	err := s.db.QueryRowContext(ctx, `
		INSERT INTO idempotency_keys AS k (id, fingerprint, locked_until, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, status = NULL, content_type = NULL,
			body = NULL, locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at
		WHERE k.expires_at <= ? OR (k.status IS NULL AND k.locked_until <= ? AND k.fingerprint = EXCLUDED.fingerprint)
		RETURNING true`,
		q.id(), q.fingerprint(), now.Add(s.cfg.Lease), now.Add(s.cfg.TTL), now, now).Scan(&claimed)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return claimed, err
}

// read decides for a key that another request holds; found is false when its row is gone.
func (s *Store) read(ctx context.Context, q Request) (r Result, found bool, err error) {
	var row struct {
		fingerprint, body []byte
		status            sql.NullInt32
		contentType       sql.NullString
	}
	err = s.db.QueryRowContext(ctx, `SELECT fingerprint, status, content_type, body FROM idempotency_keys WHERE id = ?`, q.id()).
		Scan(&row.fingerprint, &row.status, &row.contentType, &row.body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Result{}, false, nil
	case err != nil:
		return Result{}, false, err
	case !hmac.Equal(row.fingerprint, q.fingerprint()):
		return Result{Outcome: Reused}, true, nil
	case !row.status.Valid:
		return Result{Outcome: InFlight}, true, nil
	}
	body, err := q.open(row.body)
	if err != nil {
		return Result{}, false, err
	}
	answer := Answer{Status: int(row.status.Int32), ContentType: row.contentType.String, Body: body}
	return Result{Outcome: Replay, Answer: answer}, true, nil
}
