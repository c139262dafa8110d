package webhooks

import (
	"bytes"
	"context"
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

// deliverArgs is the job that makes the later attempts of one delivery: a batch hands it a
// delivery whose first attempt failed for a reason that may pass, and retryWebhookDelivery a
// FAILED one. (Before batches, every delivery had one, its first attempt included; those left
// in the queue are worked the same way.)
type deliverArgs struct {
	DeliveryID uuid.UUID `json:"delivery_id"`
	// AttemptsBefore is how many attempts of the delivery's run of attempts were made before
	// this job's first: 1 after a batch's, 0 for a job that makes every attempt itself.
	AttemptsBefore int `json:"attempts_before,omitempty"`
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
	return time.Now().Add(max(w.s.backoff(job.Attempt+job.Args.AttemptsBefore), 0))
}

// Timeout bounds a run: one post and the writes around it.
func (w *deliverWorker) Timeout(*river.Job[deliverArgs]) time.Duration {
	return w.s.timeout + 10*time.Second
}

// Work claims the delivery, posts it once and writes the attempt on its row: SUCCEEDED on a
// 2xx; FAILED at once on another answer that will not change (a 4xx but 408 and 429), or when
// the backoff has no wait left; otherwise it stays PENDING with its next attempt's time, and
// the returned error makes River run the job again then.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[deliverArgs]) error {
	s := w.s
	c, err := s.claimOne(ctx, job.ID, job.Args.DeliveryID)
	if err != nil || c == nil {
		return err // nil: done, gone with its endpoint, or being posted by the job that claimed it
	}
	d, ep := c.Delivery, c.Endpoint
	o := s.post(context.WithoutCancel(ctx), s.target(&ep), &d)
	status, err := s.record(context.WithoutCancel(ctx), d.ID, o, job.Attempt+job.Args.AttemptsBefore)
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

// target is an endpoint made ready to post to: its URL parsed and its secret's key opened,
// once for all the posts of a claim (or of a delivery's job), or the outcome every post to it
// comes to when it cannot be (disabled, or a URL or secret that does not read).
type target struct {
	ep   *Endpoint
	url  *url.URL
	key  []byte
	fail *outcome
}

// target reads ep for its posts.
func (s *Service) target(ep *Endpoint) *target {
	t := &target{ep: ep}
	if !ep.Enabled {
		return t.failing(outcome{err: "the endpoint is disabled"})
	}
	var err error
	if t.url, err = url.Parse(ep.URL); err != nil {
		return t.failing(outcome{err: "the URL does not parse"})
	}
	secret, err := s.keys.open(ep.ID, ep.SecretEncrypted)
	if err != nil {
		return t.failing(outcome{err: "the signing secret cannot be read", retry: true})
	}
	if t.key, err = signingKey(secret); err != nil {
		return t.failing(outcome{err: "the signing secret is malformed"})
	}
	return t
}

func (t *target) failing(o outcome) *target {
	t.fail = &o
	return t
}

// post sends the delivery's payload to the target, signed with the secret it was read with.
func (s *Service) post(ctx context.Context, t *target, d *Delivery) outcome {
	if t.fail != nil {
		return *t.fail
	}
	ts := time.Now().Unix()
	id := d.ID.String()
	ctx, cancel := context.WithTimeout(withScheme(ctx, t.url.Scheme), s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.ep.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return outcome{err: "the request cannot be made: " + err.Error()}
	}
	// The header's map is filled directly: Set canonicalizes each name, and the lower-case
	// names of Standard Webhooks are sent as Go sends any (canonical) name.
	req.Header = http.Header{
		"Content-Type":      {"application/json"},
		"User-Agent":        {"Invites-Webhooks/1"},
		"Webhook-Id":        {id},
		"Webhook-Timestamp": {strconv.FormatInt(ts, 10)},
		"Webhook-Signature": {signature(t.key, id, ts, d.Payload)},
	}
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
