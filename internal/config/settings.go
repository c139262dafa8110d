package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// setting is one environment variable: how its value is read into the configuration.
type setting struct {
	name  string
	parse func(c *Config, v string) error
}

// settings are every environment variable the server reads, in docs/configuration.md's order.
var settings = []setting{
	text("ADDR", func(c *Config) *string { return &c.Addr }),
	text("DATABASE_URL", func(c *Config) *string { return &c.DatabaseURL }),
	text("DATABASE_DIRECT_URL", func(c *Config) *string { return &c.DatabaseDirectURL }),
	text("DATABASE_READ_URL", func(c *Config) *string { return &c.DatabaseReadURL }),
	duration("DATABASE_READ_MAX_LAG", func(c *Config) *time.Duration { return &c.DatabaseReadMaxLag }),
	{"APP_URL", func(c *Config, v string) error { c.Domain.AppURL = strings.TrimRight(v, "/"); return nil }},
	text("SMTP_URL", func(c *Config) *string { return &c.SMTPURL }),
	text("MAIL_FROM", func(c *Config) *string { return &c.MailFrom }),
	duration("MAIL_JOB_TIMEOUT", func(c *Config) *time.Duration { return &c.Jobs.JobTimeout }),
	duration("MAIL_RESCUE_AFTER", func(c *Config) *time.Duration { return &c.Jobs.RescueAfter }),
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
	positive("SESSION_LIMIT", func(c *Config) *int { return &c.Domain.SessionLimit }),
	positive("PROJECT_LIMIT", func(c *Config) *int { return &c.Domain.ProjectLimit }),
	duration("INVITE_TTL", func(c *Config) *time.Duration { return &c.Domain.InviteTTL }),
	duration("INVITE_RETENTION", func(c *Config) *time.Duration { return &c.Domain.InviteRetention }),
	positive("INVITE_LINK_LIMIT", func(c *Config) *int { return &c.Domain.InviteLinkLimit }),
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
	duration("BULK_PREVIEW_TTL", func(c *Config) *time.Duration { return &c.Domain.BulkPreviewTTL }),
	text("DNS_RESOLVER", func(c *Config) *string { return &c.Domain.DNSResolver }),
	positive("COMPLEXITY_LIMIT", func(c *Config) *int { return &c.GraphQL.ComplexityLimit }),
	positive("DEPTH_LIMIT", func(c *Config) *int { return &c.GraphQL.DepthLimit }),
	positive("LIVE_SUBSCRIPTIONS_PER_CONNECTION", func(c *Config) *int { return &c.GraphQL.Live.SubscriptionsPerConnection }),
	positive("LIVE_CONNECTIONS_PER_USER", func(c *Config) *int { return &c.GraphQL.Live.ConnectionsPerUser }),
	positive("LIVE_CONNECTIONS_PER_ADDRESS", func(c *Config) *int { return &c.GraphQL.Live.ConnectionsPerAddress }),
	duration("LIVE_INIT_TIMEOUT", func(c *Config) *time.Duration { return &c.GraphQL.Live.InitTimeout }),
	duration("LIVE_ANONYMOUS_IDLE_TIMEOUT", func(c *Config) *time.Duration { return &c.GraphQL.Live.AnonymousIdleTimeout }),
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
	positive("WEBHOOK_ENDPOINT_LIMIT", func(c *Config) *int { return &c.Webhooks.EndpointLimit }),
	positive("WEBHOOK_ENDPOINT_CONCURRENCY", func(c *Config) *int { return &c.Webhooks.EndpointConcurrency }),
	{"WEBHOOK_SECRET_KEY", func(c *Config, v string) error {
		key, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(key) != 32 {
			return errors.New("not the base64 of 32 bytes (make one with: openssl rand -base64 32)")
		}
		c.Webhooks.SecretKey = key
		return nil
	}},
	duration("IDEMPOTENCY_KEY_TTL", func(c *Config) *time.Duration { return &c.Idempotency.TTL }),
	{"IDEMPOTENCY_MAX_ANSWER", func(c *Config, v string) (err error) {
		c.Idempotency.MaxAnswerBytes, err = parseBytes(v)
		return err
	}},
}

// Load is Default with what getenv gives for each setting; an empty value leaves the default.
// An error names the setting.
func Load(getenv func(string) string) (Config, error) {
	c := Default()
	for _, s := range append(settings[:len(settings):len(settings)], emailHookSettings...) {
		if v := getenv(s.name); v != "" {
			if err := s.parse(&c, v); err != nil {
				return c, fmt.Errorf("%s: %w", s.name, err)
			}
		}
	}
	if c.Jobs.RescueAfter <= c.Jobs.JobTimeout {
		return c, fmt.Errorf("MAIL_RESCUE_AFTER (%s) must be longer than MAIL_JOB_TIMEOUT (%s)", c.Jobs.RescueAfter, c.Jobs.JobTimeout)
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
