// Package config is the server's configuration: one struct, its defaults (Default) and its
// reading from the environment (Load). Each part goes to the package it configures: Domain
// to internal/invites, GraphQL to graph's handler, Jobs to the River client (internal/jobs),
// Mail to the email queue, Pool to the database handle, Idempotency to the safe retries
// (internal/idempotency). Those packages take their part as given and do not fill in zero
// values: a test builds its configuration from Default and changes what it tests.
//
// What each setting means is documented once, on its field; the environment variable that
// sets it is named there and listed, with its default, in docs/configuration.md's table
// (TestConfiguration_ListsEverySetting checks that the table and settings agree).
//
// Config and Default are here; each part's type is in the file of its concern (domain.go,
// graphql.go, jobs.go, memory.go, pool.go, cors.go, idempotency.go, emailhooks.go), and
// settings.go reads the environment (emailhooks.go its own settings).
package config

import (
	"log/slog"
	"time"
)

// Config is the whole configuration.
type Config struct {
	// Addr is the listen address. ADDR.
	Addr string
	// DatabaseURL is PostgreSQL's URL; empty: the server on 127.0.0.1:5432, or a private one
	// started under .data/, with its database "invites" created if missing. DATABASE_URL.
	DatabaseURL string
	// DatabaseDirectURL is PostgreSQL's own URL, not a pooler's, for what needs a session of
	// its own: the migrations and their advisory lock, the live updates' LISTEN and River's
	// client (its leader and the jobs' fetching). Empty: DatabaseURL. When set and different,
	// DatabaseURL is taken for a transaction pooler such as PgBouncer, and its statements are
	// sent without named prepared statements (Pooled). DATABASE_DIRECT_URL.
	DatabaseDirectURL string
	// DatabaseReadURL is a streaming replica's URL (a hot standby of the primary), for reads
	// that may be a moment old: list pages, previews, insights, node and nodes, activity. A
	// session's reads stay on the primary until the replica has replayed its last commit, and
	// every read does while the replica lags more than DatabaseReadMaxLag or is down (see
	// internal/readroute). Empty: every read goes to DatabaseURL. DATABASE_READ_URL.
	DatabaseReadURL string
	// DatabaseReadMaxLag is how far behind the primary the replica may be and still serve
	// reads. DATABASE_READ_MAX_LAG.
	DatabaseReadMaxLag time.Duration
	// SMTPURL is smtp://user:pass@host:port (or smtps://); empty: emails are written to the
	// log. SMTP_URL.
	SMTPURL string
	// MailFrom is the sender of emails; its domain is the right-hand side of each email's
	// Message-ID. MAIL_FROM.
	MailFrom string
	// LogLevel is the least level logged: debug, info, warn or error. LOG_LEVEL.
	LogLevel slog.Level
	// CORSOrigins are the origins whose pages may call /graphql, or "*" for any; empty:
	// Domain.AppURL's origin (AllowedOrigins). CORS_ORIGINS (comma-separated).
	CORSOrigins []string
	// SweepInterval is how often invites are marked expired and old ones deleted.
	// SWEEP_INTERVAL.
	SweepInterval time.Duration
	// MetricsToken, when set, is the bearer token that GET /metrics asks for (Authorization:
	// Bearer <token>); empty: /metrics answers anyone, as a private network's scraper expects.
	// METRICS_TOKEN.
	MetricsToken string

	Pool     Pool
	Memory   Memory
	Domain   Domain
	GraphQL  GraphQL
	Jobs     Jobs
	Mail     Mail
	Webhooks Webhooks
	// Idempotency is the Idempotency-Key header's (safe retries).
	Idempotency Idempotency
	// EmailHooks are the mail providers' event endpoints' and the returned-mail listener's.
	EmailHooks EmailHooks
}

// Pooled reports whether DatabaseURL is a transaction pooler: so it is when DatabaseDirectURL
// names another database address.
func (c Config) Pooled() bool {
	return c.DatabaseURL != "" && c.DatabaseDirectURL != "" && c.DatabaseDirectURL != c.DatabaseURL
}

// Default is the configuration with nothing set in the environment: the one place of every
// default (the domain's and GraphQL's in defaultDomain and defaultGraphQL, beside their types).
func Default() Config {
	return Config{
		Addr:          ":8080",
		MailFrom:      "Invites <noreply@localhost>",
		LogLevel:      slog.LevelInfo,
		SweepInterval: time.Minute,
		// One second: a page a second old is as good as fresh to its reader, and a replica
		// further behind than that is better left alone until it catches up.
		DatabaseReadMaxLag: time.Second,
		Pool: Pool{
			MaxConns:        20,
			MaxIdleConns:    20,
			ConnMaxLifetime: time.Hour,
			ConnMaxIdleTime: 5 * time.Minute,
		},
		Memory:  Memory{GCPercent: 400}, // and a soft limit from the container's (Memory.Limit)
		Domain:  defaultDomain(),
		GraphQL: defaultGraphQL(),
		Jobs: Jobs{
			PollInterval: time.Second,
			JobTimeout:   30 * time.Second,
			RescueAfter:  time.Minute,
		},
		Mail: Mail{
			MaxAttempts: 10,
			Workers:     10,
		},
		Webhooks: Webhooks{
			Timeout:             10 * time.Second,
			Workers:             50,
			EndpointLimit:       20,
			EndpointConcurrency: 16,
		},
		Idempotency: defaultIdempotency(),
	}
}
