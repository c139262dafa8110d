package config

import "time"

// Jobs is the settings of the process's River client (internal/jobs), which works every
// durable job: the emails, the webhook posts and the sweep.
type Jobs struct {
	// PollInterval is how often the client looks for jobs to work: River over database/sql has
	// no LISTEN/NOTIFY, so polling is what finds them (not read from the environment).
	PollInterval time.Duration
	// JobTimeout is how long one run of a job goes on: a chunk of emails not sent by then goes
	// on in the job's next run, at once, and so does a batch of webhook deliveries (after its
	// post in flight, bounded by Webhooks.Timeout); the sweep is cancelled.
	// MAIL_JOB_TIMEOUT (named for the emails, its first jobs).
	JobTimeout time.Duration
	// RescueAfter is how long a job may be running before River takes it for the job of a
	// process that died and runs it again: the longest that a crash delays an email, give or
	// take River's rescuer's 30-second round and its leader's election. It must exceed
	// JobTimeout and the time a webhook post may take. MAIL_RESCUE_AFTER.
	RescueAfter time.Duration
}

// Mail is the email queue's settings.
type Mail struct {
	// MaxAttempts is how many sends an email gets before it is FAILED_PERMANENT (not read
	// from the environment).
	MaxAttempts int
	// Workers is how many emails are sent at once: each worker sends the emails of one chunk
	// (up to 100) one after the other. Times mail.SentBatchSize, it is also the most emails
	// that a crash can send twice (not read from the environment).
	Workers int
}

// Webhooks is internal/webhooks' settings.
type Webhooks struct {
	// AllowLoopback lets endpoints be http or https URLs on loopback addresses (a receiver on
	// the same machine, in development and tests); otherwise those are refused like private
	// ones. WEBHOOK_ALLOW_LOOPBACK.
	AllowLoopback bool
	// SecretKey encrypts the endpoints' signing secrets at rest (AES-256-GCM): 32 bytes, set
	// as their base64; nil: a key made once and kept in the database, so a database dump then
	// gives the secrets. WEBHOOK_SECRET_KEY.
	SecretKey []byte
	// Timeout bounds one post, connecting to the whole answer (not read from the environment).
	Timeout time.Duration
	// Workers is how many jobs of the webhooks queue the process's River client runs at once:
	// batch jobs (each with up to EndpointConcurrency posts in flight) and the jobs of one
	// delivery's retries (not read from the environment).
	Workers int
	// EndpointLimit caps the endpoints one project may have (20 by default): each event is
	// posted to every endpoint, and Project.webhookEndpoints lists them all. Always a cap:
	// there is no "off". WEBHOOK_ENDPOINT_LIMIT.
	EndpointLimit int
	// EndpointConcurrency is how many posts a batch job of one endpoint has in flight at once
	// (16 by default): a receiver that takes 200 ms an answer gets 16 times the rate of posts
	// one after the other, and no more than that many requests at once from one batch.
	// WEBHOOK_ENDPOINT_CONCURRENCY.
	EndpointConcurrency int
}
