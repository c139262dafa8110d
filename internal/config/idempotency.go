package config

import "time"

// Idempotency is the settings of safe retries (internal/idempotency): a mutation sent with an
// Idempotency-Key header is answered once, and its retries get that answer.
type Idempotency struct {
	// TTL is how long a key is kept, with its answer, from its first request: a retry within
	// it gets the stored answer, after it the key is free again. IDEMPOTENCY_KEY_TTL.
	TTL time.Duration
	// MaxAnswerBytes caps the answer kept for a key. A larger answer is sent but not kept: the
	// key is let go, as if the request had had none, and a retry runs the mutation again.
	// IDEMPOTENCY_MAX_ANSWER.
	MaxAnswerBytes int64
}

// defaultIdempotency is Default's Idempotency: keys kept a day (the draft's example, and what
// clients such as Stripe's expect), answers up to 1 MiB (every mutation's but the largest bulk
// invites').
func defaultIdempotency() Idempotency {
	return Idempotency{TTL: 24 * time.Hour, MaxAnswerBytes: 1 << 20}
}
