package idempotency

import "context"

// Claim is a run's hold on its key, from Begin: the run ends it with Complete or Release.
// A run that ends neither (its process died) holds the key until Config.Lease has passed.
type Claim struct {
	store *Store
	req   Request
}

// Complete keeps the answer for the key's retries, and reports whether it did: an answer
// whose body is over Config.MaxAnswerBytes is not kept, and the key is released instead.
func (c *Claim) Complete(ctx context.Context, a Answer) (kept bool, err error) {
	if int64(len(a.Body)) > c.store.cfg.MaxAnswerBytes {
		return false, c.Release(ctx)
	}
	// Only the run's own claim: once its lease has passed, another run of the same body may
	// have taken the key over and completed it.
	_, err = c.store.db.ExecContext(ctx, `
		UPDATE idempotency_keys SET status = ?, content_type = ?, body = ?
		WHERE id = ? AND fingerprint = ? AND status IS NULL`,
		a.Status, a.ContentType, c.req.seal(a.Body), c.req.id(), c.req.fingerprint())
	return err == nil, err
}

// Release lets the key go, keeping nothing: its next request runs as if it were the first.
// For a run whose answer says that a retry may succeed (the database was unreachable, say).
func (c *Claim) Release(ctx context.Context) error {
	_, err := c.store.db.ExecContext(ctx, `
		DELETE FROM idempotency_keys WHERE id = ? AND fingerprint = ? AND status IS NULL`,
		c.req.id(), c.req.fingerprint())
	return err
}
