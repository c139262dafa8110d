package webhooks

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// deliverArgs is the job that posts one delivery.
type deliverArgs struct {
	DeliveryID uuid.UUID `json:"delivery_id"`
}

func (deliverArgs) Kind() string { return "webhook_delivery" }

func (deliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueName, MaxAttempts: maxAttempts}
}

type deliverWorker struct {
	river.WorkerDefaults[deliverArgs]
	s *Service
}

// NextRetry follows the service's backoff, the same that Work wrote as next_attempt_at.
func (w *deliverWorker) NextRetry(job *river.Job[deliverArgs]) time.Time {
	return time.Now().Add(max(w.s.backoff(job.Attempt), 0))
}

// Timeout bounds a run: one post and the writes around it.
func (w *deliverWorker) Timeout(*river.Job[deliverArgs]) time.Duration {
	return w.s.timeout + 10*time.Second
}

// outcome is what one attempt came to.
type outcome struct {
	status *int   // the HTTP status, when there was an answer
	err    string // why it did not succeed; "" for a 2xx
	retry  bool   // whether it may pass: a network error, a timeout, 5xx, 408 or 429
}

// Work posts the delivery once and writes the attempt on its row: SUCCEEDED on a 2xx; FAILED
// at once on another answer that will not change (a 4xx but 408 and 429), or when the
// backoff has no wait left; otherwise it stays PENDING with its next attempt's time, and the
// returned error makes River run the job again then.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[deliverArgs]) error {
	s := w.s
	// The delivery and its endpoint in one statement: a bulk invite queues thousands.
	var row struct {
		Delivery
		Endpoint Endpoint `bun:"ep,extend"`
	}
	err := s.db.NewSelect().Model(&row.Delivery).ColumnExpr("wd.*").
		ColumnExpr("we.url AS ep__url, we.enabled AS ep__enabled, we.secret_encrypted AS ep__secret_encrypted, we.id AS ep__id").
		Join("JOIN webhook_endpoints AS we ON we.id = wd.endpoint_id").
		Where("wd.id = ?", job.Args.DeliveryID).Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // its endpoint was deleted, and its log with it
	} else if err != nil {
		return err
	}
	d, ep := row.Delivery, row.Endpoint
	if d.Status != Pending {
		return nil
	}
	var o outcome
	if !ep.Enabled {
		o = outcome{err: "the endpoint is disabled"}
	} else {
		o = s.post(ctx, &ep, &d)
	}
	status, err := s.record(ctx, d.ID, o, job.Attempt)
	if err != nil {
		return err
	}
	if status == Failed {
		s.log.Warn("webhook delivery failed", "delivery", d.ID, "endpoint", ep.ID, "type", d.EventType, "attempts", d.Attempts+1, "error", o.err)
	}
	if status == Pending {
		return fmt.Errorf("webhook delivery %s: %s", d.ID, o.err)
	}
	return nil
}

// record writes attempt number attempt of delivery id, whose outcome was o, on its row while
// it is PENDING, and returns the status it gave it: SUCCEEDED, PENDING with the time of its
// next attempt after a failure that may pass while the backoff has a wait left, else FAILED.
func (s *Service) record(ctx context.Context, id uuid.UUID, o outcome, attempt int) (Status, error) {
	now := time.Now().UTC()
	var next *time.Time
	status := Failed
	switch {
	case o.err == "":
		status = Succeeded
	case o.retry:
		if wait := s.backoff(attempt); wait >= 0 {
			t := now.Add(wait)
			status, next = Pending, &t
		}
	}
	var lastErr *string
	if o.err != "" {
		lastErr = &o.err
	}
	q := s.db.NewUpdate().Model((*Delivery)(nil)).
		Set("attempts = attempts + 1").
		Set("status = ?", status).
		Set("response_status = COALESCE(?, response_status)", o.status).
		Set("last_error = ?", lastErr).
		Set("next_attempt_at = ?", next).
		Where("id = ? AND status = ?", id, Pending)
	if status == Succeeded {
		q = q.Set("delivered_at = ?", now)
	}
	_, err := q.Exec(ctx)
	return status, err
}

// post sends the delivery's payload to the endpoint, signed with its current secret.
func (s *Service) post(ctx context.Context, ep *Endpoint, d *Delivery) outcome {
	u, err := url.Parse(ep.URL)
	if err != nil {
		return outcome{err: "the URL does not parse"}
	}
	secret, err := s.keys.open(ep.ID, ep.SecretEncrypted)
	if err != nil {
		return outcome{err: "the signing secret cannot be read", retry: true}
	}
	ts := time.Now().Unix()
	id := d.ID.String()
	sig, err := signature(secret, id, ts, d.Payload)
	if err != nil {
		return outcome{err: "the signing secret is malformed"}
	}
	ctx, cancel := context.WithTimeout(withScheme(ctx, u.Scheme), s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return outcome{err: "the request cannot be made: " + err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Invites-Webhooks/1")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := s.http.Do(req)
	if err != nil {
		if a, ok := errors.AsType[*addressError](err); ok {
			// The address the name resolves to now is refused: that may change, so retry.
			return outcome{err: "refused: " + a.msg, retry: true}
		}
		return outcome{err: "no answer: " + rootMessage(err), retry: true}
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		return outcome{status: &code}
	case code >= 500 || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout:
		return outcome{status: &code, err: fmt.Sprintf("HTTP %d", code), retry: true}
	}
	return outcome{status: &code, err: fmt.Sprintf("HTTP %d", code)}
}

// rootMessage is the innermost error's message: no URL, which is on the endpoint already.
func rootMessage(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
