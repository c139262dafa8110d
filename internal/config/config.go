// Package config is the server's configuration: one struct, its defaults (Default) and its
// reading from the environment (Load). Each part goes to the package it configures: Domain
// to internal/invites, GraphQL to graph's handler, Mail to the email queue, Pool to the
// database handle. Those packages take their part as given and do not fill in zero values:
// a test builds its configuration from Default and changes what it tests.
//
// What each setting means is documented once, on its field; the environment variable that
// sets it is named there and listed, with its default, in docs/configuration.md's table
// (TestConfiguration_ListsEverySetting checks that the table and settings agree).
package config

import (
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/netip"
	"net/url"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration.
type Config struct {
	// Addr is the listen address. ADDR.
	Addr string
	// DatabaseURL is PostgreSQL's URL; empty: the server on 127.0.0.1:5432, or a private one
	// started under .data/, with its database "invites" created if missing. DATABASE_URL.
	DatabaseURL string
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
	Mail     Mail
	Webhooks Webhooks
}

// Memory is the Go runtime's garbage collection, set by Apply. With the runtime's own
// defaults (GOGC=100, no limit) a heap as small as the server's between bulk uploads is
// collected every few MiB allocated: at 900 member pages a second, 60 collections a second
// and a fifth of the server's CPU. Here the heap may grow to five times what is live, while a
// soft limit keeps a bulk upload's peak in bounds (a 10,000-row upload: 114 MiB RSS).
type Memory struct {
	// GCPercent: a collection starts once the heap has grown by this percentage of what the
	// last one left live; -1: only at Limit. GOGC (a percentage, or off).
	GCPercent int
	// Limit is a soft limit of the memory the Go runtime uses, in bytes: near it, collections
	// come as often as it takes (up to half the CPU) to stay under it. GOMEMLIMIT (bytes, with
	// an optional unit B, KiB, MiB, GiB or TiB, as the runtime reads it; off: none).
	Limit int64
}

// Apply sets the runtime's garbage collection: the server and the benchmarks that measure
// its memory run alike.
func (m Memory) Apply() {
	debug.SetGCPercent(m.GCPercent)
	debug.SetMemoryLimit(m.Limit)
}

// Pool sizes database/sql's connection pool. Idle connections are kept up to the open limit
// by default: with database/sql's own idle default of 2, every request beyond the second at
// once opened a PostgreSQL session and closed it again (0.3 new sessions per member-page
// request at 10 clients, each costing PostgreSQL tens of milliseconds of CPU).
type Pool struct {
	// MaxConns is how many connections are open at most. DB_MAX_CONNS.
	MaxConns int
	// MaxIdleConns is how many idle connections are kept for the next request, at most
	// MaxConns; 0: none. DB_MAX_IDLE_CONNS (unset: DB_MAX_CONNS).
	MaxIdleConns int
	// ConnMaxLifetime: a connection is closed and replaced after this. DB_CONN_MAX_LIFETIME.
	ConnMaxLifetime time.Duration
	// ConnMaxIdleTime: an idle connection is closed after this. DB_CONN_MAX_IDLE_TIME.
	ConnMaxIdleTime time.Duration
}

// Apply sizes db's pool: the server's and the tests' databases are pooled alike, so that a
// test that runs many queries at once meets the same cap as the server.
func (p Pool) Apply(db *sql.DB) {
	db.SetMaxOpenConns(p.MaxConns)
	db.SetMaxIdleConns(p.MaxIdleConns)
	db.SetConnMaxLifetime(p.ConnMaxLifetime)
	db.SetConnMaxIdleTime(p.ConnMaxIdleTime)
}

// Domain is internal/invites' settings. For each cap, 0 means no cap.
type Domain struct {
	// AppURL is the front end's address, without a trailing slash; email links are
	// AppURL + "/verify-email/" + token, AppURL + "/invite/" + token and AppURL +
	// "/reset-password/" + token. APP_URL.
	AppURL string
	// SessionTTL is how long a session lasts. SESSION_TTL.
	SessionTTL time.Duration
	// VerificationTTL is how long an email verification link works (not read from the
	// environment).
	VerificationTTL time.Duration
	// LoginFailureLimit failed log-ins for one email within LoginFailureWindow slow the email
	// down: a client that has failed for it k times then waits 2^(k-1) seconds between
	// attempts. Clients that have not failed for it are never held back. Neither is read from
	// the environment.
	LoginFailureLimit  int
	LoginFailureWindow time.Duration
	// LoginClientFailureLimit failed log-ins from one client address (for any emails) within
	// LoginFailureWindow make its further attempts RATE_LIMITED until the oldest falls out of
	// the window; 0: no limit. LOGIN_CLIENT_FAILURE_LIMIT.
	LoginClientFailureLimit int
	// SignUpClientLimit caps the sign-ups without an invite token from one client address per
	// clock hour; 0: no cap. SIGNUP_CLIENT_LIMIT.
	SignUpClientLimit int
	// PasswordResetTTL is how long a password-reset link works (not read from the
	// environment).
	PasswordResetTTL time.Duration
	// PasswordResetEmailLimit caps the password-reset requests for one email per clock hour,
	// counted whether or not an account has the email, so that the answer tells nothing;
	// 0: no cap. PASSWORD_RESET_EMAIL_LIMIT.
	PasswordResetEmailLimit int
	// PasswordResetClientLimit caps the password-reset requests from one client address per
	// clock hour; 0: no cap. PASSWORD_RESET_CLIENT_LIMIT.
	PasswordResetClientLimit int
	// VerificationResendLimit caps the verification emails one account asks for again per
	// clock hour; 0: no cap. VERIFICATION_RESEND_LIMIT.
	VerificationResendLimit int
	// InviteRecipientDailyLimit caps the invite emails (new and resent) one address may get
	// per UTC day from everyone together; 0: no cap. INVITE_RECIPIENT_DAILY_LIMIT.
	InviteRecipientDailyLimit int
	// InviteTTL is how long an invite can be claimed. INVITE_TTL.
	InviteTTL time.Duration
	// InviteRetention is how long expired, declined and revoked invites are kept before the
	// sweep deletes them. INVITE_RETENTION.
	InviteRetention time.Duration
	// InviteRemindBefore is how long before its expiry a pending invite gets its one reminder
	// email (with a new link) from the sweep; 0: no reminders. INVITE_REMIND_BEFORE.
	InviteRemindBefore time.Duration
	// InviteRateLimit caps the invite emails (new and resent) one inviter may send per clock
	// hour, across all replicas (10,000 by default, so that one full spreadsheet fits); 0: no
	// cap. INVITE_RATE_LIMIT (where a negative number, documented as -1 before, also means no
	// cap).
	InviteRateLimit int
}

// GraphQL is the GraphQL handler's settings. Every limit is positive: Load refuses 0.
type GraphQL struct {
	// Introspection turns on schema introspection (the playground needs it). INTROSPECTION.
	Introspection bool
	// ComplexityLimit caps a query's cost: each field counts 1, and a connection 30 plus its
	// items `first` (or `last`) times (5,000: a page of 100 items with 50 fields).
	// COMPLEXITY_LIMIT.
	ComplexityLimit int
	// DepthLimit caps how deeply fields nest (introspection not counted). DEPTH_LIMIT.
	DepthLimit int
	// MaxBodyBytes caps a JSON request body: room for a bulk invite of 10,000 rows given
	// inline (not read from the environment).
	MaxBodyBytes int64
	// MaxUploadBytes caps a multipart request, a CSV upload (not read from the environment).
	MaxUploadBytes int64
	// TrustedProxies are the proxies whose X-Forwarded-For is believed for the client's
	// address; empty: none, the TCP peer is the client. TRUSTED_PROXIES.
	TrustedProxies []netip.Prefix
	// Limits bound a query document before it is validated, the errors of a response and a
	// request's time, and size the caches.
	Limits Limits
	// Live bounds the subscriptions (live updates).
	Live Live
}

// Live bounds the subscriptions served over WebSocket and server-sent events, per replica.
type Live struct {
	// SubscriptionsPerConnection caps the subscriptions open at once on one WebSocket
	// connection (an SSE request carries one). LIVE_SUBSCRIPTIONS_PER_CONNECTION.
	SubscriptionsPerConnection int
	// ConnectionsPerUser caps one user's live connections (WebSocket connections and SSE
	// streams) open at once on one replica. LIVE_CONNECTIONS_PER_USER.
	ConnectionsPerUser int
	// KeepAlive is how often an idle stream gets a keep-alive (a WebSocket ping, an SSE
	// comment). LIVE_KEEPALIVE.
	KeepAlive time.Duration
	// Buffer is how many changes a subscriber may fall behind before its stream is ended
	// rather than slowing the others (not read from the environment).
	Buffer int
}

// Limits bound what one request may cost before any expensive work: a query document's size
// is checked on its text, before validation, whose cost grows with the square of a selection.
type Limits struct {
	// QueryBytes caps a query document's length (large inputs go in variables).
	// QUERY_BYTES_LIMIT.
	QueryBytes int
	// QueryTokens caps a document's tokens (names, punctuation, values, comments).
	// QUERY_TOKEN_LIMIT.
	QueryTokens int
	// Aliases caps the aliased fields in a document. ALIAS_LIMIT.
	Aliases int
	// Selections caps the fields one selection set collects, its fragments expanded.
	// SELECTION_LIMIT.
	Selections int
	// Directives caps the directives on one field, fragment or operation. DIRECTIVE_LIMIT.
	Directives int
	// ValidationCost caps the work of validating a document: each field counts 1 (fragments
	// expanded where they are spread), plus 1 for every other field merged with it under the
	// same response name, which validation compares it with. VALIDATION_COST_LIMIT.
	ValidationCost int
	// Introspection caps the `__schema` and `__type` fields of an operation.
	// INTROSPECTION_LIMIT.
	Introspection int
	// Errors caps the errors of a response; the rest are counted in
	// extensions.errorsOmitted. ERROR_LIMIT.
	Errors int
	// RequestTimeout ends a request's work. REQUEST_TIMEOUT.
	RequestTimeout time.Duration
	// QueryCacheMiB bounds the parsed-query cache (1,000 documents) in memory.
	// QUERY_CACHE_MIB.
	QueryCacheMiB int
	// PersistedQueryCacheMiB bounds the automatic persisted queries (1,000) in memory.
	// APQ_CACHE_MIB.
	PersistedQueryCacheMiB int
}

// Mail is the email queue's settings.
type Mail struct {
	// PollInterval is how often workers look for new emails: River over database/sql has no
	// LISTEN/NOTIFY, so polling is what finds jobs (not read from the environment).
	PollInterval time.Duration
	// MaxAttempts is how many sends an email gets before it is FAILED_PERMANENT (not read
	// from the environment).
	MaxAttempts int
	// Workers is how many emails are sent at once: each worker sends the emails of one chunk
	// (up to 100) one after the other. Times mail.SentBatchSize, it is also the most emails
	// that a crash can send twice (not read from the environment).
	Workers int
	// JobTimeout is how long one run of a sending job goes on starting sends; a chunk not
	// sent by then goes on in the job's next run, at once. Every River job of the queue gets
	// it as its timeout (the periodic sweep's too). MAIL_JOB_TIMEOUT.
	JobTimeout time.Duration
	// RescueAfter is how long a job may be running before River takes it for the job of a
	// process that died and runs it again: the longest that a crash delays an email, give or
	// take River's rescuer's 30-second round and its leader's election. It must exceed
	// JobTimeout. MAIL_RESCUE_AFTER.
	RescueAfter time.Duration
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
	// Workers is how many posts go at once, from the email queue's River client, which also
	// works the deliveries (not read from the environment).
	Workers int
}

// Default is the configuration with nothing set in the environment: the one place of every
// default.
func Default() Config {
	return Config{
		Addr:          ":8080",
		MailFrom:      "Invites <noreply@localhost>",
		LogLevel:      slog.LevelInfo,
		SweepInterval: time.Minute,
		Pool: Pool{
			MaxConns:        20,
			MaxIdleConns:    20,
			ConnMaxLifetime: time.Hour,
			ConnMaxIdleTime: 5 * time.Minute,
		},
		Memory: Memory{GCPercent: 400, Limit: 100 << 20},
		Domain: Domain{
			AppURL:                    "http://localhost:8080",
			SessionTTL:                30 * 24 * time.Hour,
			VerificationTTL:           7 * 24 * time.Hour,
			LoginFailureLimit:         10,
			LoginFailureWindow:        15 * time.Minute,
			LoginClientFailureLimit:   20,
			SignUpClientLimit:         20,
			InviteRecipientDailyLimit: 10,
			PasswordResetTTL:          time.Hour,
			PasswordResetEmailLimit:   5,
			PasswordResetClientLimit:  20,
			VerificationResendLimit:   5,
			InviteTTL:                 7 * 24 * time.Hour,
			InviteRetention:           30 * 24 * time.Hour,
			InviteRemindBefore:        24 * time.Hour,
			InviteRateLimit:           10000,
		},
		GraphQL: GraphQL{
			Introspection:   true,
			ComplexityLimit: 5000,
			DepthLimit:      12,
			MaxBodyBytes:    4 << 20,
			MaxUploadBytes:  6 << 20,
			Limits: Limits{
				QueryBytes:             64 << 10,
				QueryTokens:            5000,
				Aliases:                100,
				Selections:             100,
				Directives:             10,
				ValidationCost:         50000,
				Introspection:          5,
				Errors:                 100,
				RequestTimeout:         30 * time.Second,
				QueryCacheMiB:          32,
				PersistedQueryCacheMiB: 16,
			},
			Live: Live{
				SubscriptionsPerConnection: 20,
				ConnectionsPerUser:         10,
				KeepAlive:                  15 * time.Second,
				Buffer:                     256,
			},
		},
		Mail: Mail{
			PollInterval: time.Second,
			MaxAttempts:  10,
			Workers:      10,
			JobTimeout:   30 * time.Second,
			RescueAfter:  time.Minute,
		},
		Webhooks: Webhooks{
			Timeout: 10 * time.Second,
			Workers: 50,
		},
	}
}

// setting is one environment variable: how its value is read into the configuration.
type setting struct {
	name  string
	parse func(c *Config, v string) error
}

// settings are every environment variable the server reads, in docs/configuration.md's order.
var settings = []setting{
	text("ADDR", func(c *Config) *string { return &c.Addr }),
	text("DATABASE_URL", func(c *Config) *string { return &c.DatabaseURL }),
	{"APP_URL", func(c *Config, v string) error { c.Domain.AppURL = strings.TrimRight(v, "/"); return nil }},
	text("SMTP_URL", func(c *Config) *string { return &c.SMTPURL }),
	text("MAIL_FROM", func(c *Config) *string { return &c.MailFrom }),
	duration("MAIL_JOB_TIMEOUT", func(c *Config) *time.Duration { return &c.Mail.JobTimeout }),
	duration("MAIL_RESCUE_AFTER", func(c *Config) *time.Duration { return &c.Mail.RescueAfter }),
	{"LOG_LEVEL", func(c *Config, v string) error { return c.LogLevel.UnmarshalText([]byte(v)) }},
	{"INTROSPECTION", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		c.GraphQL.Introspection = b
		return nil
	}},
	{"CORS_ORIGINS", func(c *Config, v string) error { c.CORSOrigins = parseOrigins(v); return nil }},
	duration("SESSION_TTL", func(c *Config) *time.Duration { return &c.Domain.SessionTTL }),
	duration("INVITE_TTL", func(c *Config) *time.Duration { return &c.Domain.InviteTTL }),
	duration("INVITE_RETENTION", func(c *Config) *time.Duration { return &c.Domain.InviteRetention }),
	duration("SWEEP_INTERVAL", func(c *Config) *time.Duration { return &c.SweepInterval }),
	text("METRICS_TOKEN", func(c *Config) *string { return &c.MetricsToken }),
	{"INVITE_REMIND_BEFORE", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("%q is not a duration such as 24h (0 turns reminders off)", v)
		}
		c.Domain.InviteRemindBefore = d
		return nil
	}},
	{"INVITE_RATE_LIMIT", func(c *Config, v string) error {
		// Before 0 meant no cap, a negative number did (the README said -1): still accepted.
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not a whole number (0 or -1 turns the cap off)", v)
		}
		c.Domain.InviteRateLimit = max(n, 0)
		return nil
	}},
	positive("COMPLEXITY_LIMIT", func(c *Config) *int { return &c.GraphQL.ComplexityLimit }),
	positive("DEPTH_LIMIT", func(c *Config) *int { return &c.GraphQL.DepthLimit }),
	positive("LIVE_SUBSCRIPTIONS_PER_CONNECTION", func(c *Config) *int { return &c.GraphQL.Live.SubscriptionsPerConnection }),
	positive("LIVE_CONNECTIONS_PER_USER", func(c *Config) *int { return &c.GraphQL.Live.ConnectionsPerUser }),
	duration("LIVE_KEEPALIVE", func(c *Config) *time.Duration { return &c.GraphQL.Live.KeepAlive }),
	{"TRUSTED_PROXIES", func(c *Config, v string) (err error) {
		c.GraphQL.TrustedProxies, err = ParseTrustedProxies(v)
		return err
	}},
	capSetting("LOGIN_CLIENT_FAILURE_LIMIT", func(c *Config) *int { return &c.Domain.LoginClientFailureLimit }),
	capSetting("SIGNUP_CLIENT_LIMIT", func(c *Config) *int { return &c.Domain.SignUpClientLimit }),
	capSetting("INVITE_RECIPIENT_DAILY_LIMIT", func(c *Config) *int { return &c.Domain.InviteRecipientDailyLimit }),
	capSetting("PASSWORD_RESET_EMAIL_LIMIT", func(c *Config) *int { return &c.Domain.PasswordResetEmailLimit }),
	capSetting("PASSWORD_RESET_CLIENT_LIMIT", func(c *Config) *int { return &c.Domain.PasswordResetClientLimit }),
	capSetting("VERIFICATION_RESEND_LIMIT", func(c *Config) *int { return &c.Domain.VerificationResendLimit }),
	{"DB_MAX_CONNS", func(c *Config, v string) error {
		// The idle connections follow the open ones unless DB_MAX_IDLE_CONNS, read later, says.
		err := positiveInt(v, &c.Pool.MaxConns)
		c.Pool.MaxIdleConns = c.Pool.MaxConns
		return err
	}},
	{"DB_MAX_IDLE_CONNS", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > c.Pool.MaxConns {
			return fmt.Errorf("%q is not a whole number from 0 to DB_MAX_CONNS (%d)", v, c.Pool.MaxConns)
		}
		c.Pool.MaxIdleConns = n
		return nil
	}},
	duration("DB_CONN_MAX_LIFETIME", func(c *Config) *time.Duration { return &c.Pool.ConnMaxLifetime }),
	duration("DB_CONN_MAX_IDLE_TIME", func(c *Config) *time.Duration { return &c.Pool.ConnMaxIdleTime }),
	{"GOGC", func(c *Config, v string) error {
		if v == "off" {
			c.Memory.GCPercent = -1
			return nil
		}
		return positiveInt(v, &c.Memory.GCPercent)
	}},
	{"GOMEMLIMIT", func(c *Config, v string) error {
		if v == "off" {
			c.Memory.Limit = math.MaxInt64
			return nil
		}
		n, err := parseBytes(v)
		if err != nil {
			return err
		}
		c.Memory.Limit = n
		return nil
	}},
	positive("QUERY_BYTES_LIMIT", func(c *Config) *int { return &c.GraphQL.Limits.QueryBytes }),
	positive("QUERY_TOKEN_LIMIT", func(c *Config) *int { return &c.GraphQL.Limits.QueryTokens }),
	positive("ALIAS_LIMIT", func(c *Config) *int { return &c.GraphQL.Limits.Aliases }),
	positive("SELECTION_LIMIT", func(c *Config) *int { return &c.GraphQL.Limits.Selections }),
	positive("DIRECTIVE_LIMIT", func(c *Config) *int { return &c.GraphQL.Limits.Directives }),
	positive("VALIDATION_COST_LIMIT", func(c *Config) *int { return &c.GraphQL.Limits.ValidationCost }),
	positive("INTROSPECTION_LIMIT", func(c *Config) *int { return &c.GraphQL.Limits.Introspection }),
	positive("ERROR_LIMIT", func(c *Config) *int { return &c.GraphQL.Limits.Errors }),
	duration("REQUEST_TIMEOUT", func(c *Config) *time.Duration { return &c.GraphQL.Limits.RequestTimeout }),
	positive("QUERY_CACHE_MIB", func(c *Config) *int { return &c.GraphQL.Limits.QueryCacheMiB }),
	positive("APQ_CACHE_MIB", func(c *Config) *int { return &c.GraphQL.Limits.PersistedQueryCacheMiB }),
	{"WEBHOOK_ALLOW_LOOPBACK", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		c.Webhooks.AllowLoopback = b
		return nil
	}},
	{"WEBHOOK_SECRET_KEY", func(c *Config, v string) error {
		key, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(key) != 32 {
			return errors.New("not the base64 of 32 bytes (make one with: openssl rand -base64 32)")
		}
		c.Webhooks.SecretKey = key
		return nil
	}},
}

// AllowedOrigins are the origins whose pages may call the API from a browser: CORSOrigins, or
// by default the origin of Domain.AppURL, where the front end lives.
func (c Config) AllowedOrigins() []string {
	if len(c.CORSOrigins) > 0 {
		return c.CORSOrigins
	}
	u, err := url.Parse(c.Domain.AppURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil
	}
	return []string{u.Scheme + "://" + u.Host}
}

// parseOrigins reads CORS_ORIGINS: origins separated by commas, each without a trailing slash.
func parseOrigins(v string) []string {
	var out []string
	for _, o := range strings.Split(v, ",") {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			out = append(out, o)
		}
	}
	return out
}

// Load is Default with what getenv gives for each setting; an empty value leaves the default.
// An error names the setting.
func Load(getenv func(string) string) (Config, error) {
	c := Default()
	for _, s := range settings {
		if v := getenv(s.name); v != "" {
			if err := s.parse(&c, v); err != nil {
				return c, fmt.Errorf("%s: %w", s.name, err)
			}
		}
	}
	if c.Mail.RescueAfter <= c.Mail.JobTimeout {
		return c, fmt.Errorf("MAIL_RESCUE_AFTER (%s) must be longer than MAIL_JOB_TIMEOUT (%s)", c.Mail.RescueAfter, c.Mail.JobTimeout)
	}
	return c, nil
}

func text(name string, field func(*Config) *string) setting {
	return setting{name, func(c *Config, v string) error { *field(c) = v; return nil }}
}

func duration(name string, field func(*Config) *time.Duration) setting {
	return setting{name, func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration such as 168h", v)
		}
		*field(c) = d
		return nil
	}}
}

func positive(name string, field func(*Config) *int) setting {
	return setting{name, func(c *Config, v string) error { return positiveInt(v, field(c)) }}
}

// capSetting is a cap where 0 means none.
func capSetting(name string, field func(*Config) *int) setting {
	return setting{name, func(c *Config, v string) error { return capInt(v, field(c)) }}
}

func positiveInt(v string, dst *int) error {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return fmt.Errorf("%q is not a positive whole number", v)
	}
	*dst = n
	return nil
}

func capInt(v string, dst *int) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return fmt.Errorf("%q is not a whole number (0 turns the limit off)", v)
	}
	*dst = n
	return nil
}

// ParseTrustedProxies reads TRUSTED_PROXIES: CIDRs or single addresses, separated by commas
// or spaces. Empty means none.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or an address", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// byteUnits are the units of GOMEMLIMIT, as the Go runtime reads it.
var byteUnits = map[string]int64{"": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}

var byteSize = regexp.MustCompile(`^([0-9]+)([A-Za-z]*)$`)

// parseBytes reads a positive size such as 128MiB.
func parseBytes(v string) (int64, error) {
	m := byteSize.FindStringSubmatch(v)
	if m != nil {
		unit, ok := byteUnits[m[2]]
		n, err := strconv.ParseInt(m[1], 10, 64)
		if ok && err == nil && n > 0 && n <= math.MaxInt64/unit {
			return n * unit, nil
		}
	}
	return 0, fmt.Errorf("%q is not a size such as 128MiB (units B, KiB, MiB, GiB, TiB) or off", v)
}
