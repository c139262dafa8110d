package config_test

import (
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/config"
)

func load(t *testing.T, env map[string]string) config.Config {
	t.Helper()
	c, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoad(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		c := load(t, nil)
		if c.Addr != ":8080" || c.Domain.AppURL != "http://localhost:8080" || !c.GraphQL.Introspection || c.SMTPURL != "" || c.Domain.SessionTTL != 30*24*time.Hour ||
			c.Domain.InviteTTL != 7*24*time.Hour || c.Domain.InviteRetention != 30*24*time.Hour || c.SweepInterval != time.Minute ||
			c.Jobs.JobTimeout != 30*time.Second || c.Jobs.RescueAfter != time.Minute {
			t.Errorf("defaults = %+v", c)
		}
		if d := c.Domain; d.LoginClientFailureLimit != 20 || d.SignUpClientLimit != 20 || d.InviteRecipientDailyLimit != 10 || len(c.GraphQL.TrustedProxies) != 0 {
			t.Errorf("abuse limits = %d, %d, %d, proxies %v; want 20, 20, 10 and none", d.LoginClientFailureLimit, d.SignUpClientLimit, d.InviteRecipientDailyLimit, c.GraphQL.TrustedProxies)
		}
		if c.Domain.InviteRateLimit != 10000 || c.GraphQL.ComplexityLimit != 5000 || c.GraphQL.DepthLimit != 12 {
			t.Errorf("invite rate, complexity, depth = %d, %d, %d; want 10000, 5000, 12", c.Domain.InviteRateLimit, c.GraphQL.ComplexityLimit, c.GraphQL.DepthLimit)
		}
	})
	t.Run("AbuseLimits", func(t *testing.T) {
		c := load(t, map[string]string{"LOGIN_CLIENT_FAILURE_LIMIT": "0", "SIGNUP_CLIENT_LIMIT": "5", "INVITE_RECIPIENT_DAILY_LIMIT": "0", "TRUSTED_PROXIES": "10.0.0.0/8,127.0.0.1"})
		if d := c.Domain; d.LoginClientFailureLimit != 0 || d.SignUpClientLimit != 5 || d.InviteRecipientDailyLimit != 0 {
			t.Errorf("limits = %d, %d, %d; want 0 (none), 5, 0 (none)", d.LoginClientFailureLimit, d.SignUpClientLimit, d.InviteRecipientDailyLimit)
		}
		if p := c.GraphQL.TrustedProxies; len(p) != 2 || p[0].String() != "10.0.0.0/8" || p[1].String() != "127.0.0.1/32" {
			t.Errorf("TrustedProxies = %v", p)
		}
	})
	t.Run("InviteRateLimitOff", func(t *testing.T) {
		for _, v := range []string{"0", "-1"} {
			if got := load(t, map[string]string{"INVITE_RATE_LIMIT": v}).Domain.InviteRateLimit; got != 0 {
				t.Errorf("INVITE_RATE_LIMIT=%s: %d, want 0 (no cap)", v, got)
			}
		}
		if got := load(t, map[string]string{"INVITE_RATE_LIMIT": "25"}).Domain.InviteRateLimit; got != 25 {
			t.Errorf("INVITE_RATE_LIMIT=25: %d", got)
		}
	})
	t.Run("BulkPreviewTTL", func(t *testing.T) {
		if got := load(t, nil).Domain.BulkPreviewTTL; got != time.Hour {
			t.Errorf("default BULK_PREVIEW_TTL %s, want 1h", got)
		}
		if got := load(t, map[string]string{"BULK_PREVIEW_TTL": "20m"}).Domain.BulkPreviewTTL; got != 20*time.Minute {
			t.Errorf("BULK_PREVIEW_TTL=20m: %s", got)
		}
		if _, err := config.Load(func(k string) string { return map[string]string{"BULK_PREVIEW_TTL": "0"}[k] }); err == nil {
			t.Error("BULK_PREVIEW_TTL=0 was accepted: a preview that can never be confirmed")
		}
	})
	t.Run("InviteRemindBefore", func(t *testing.T) {
		for v, want := range map[string]time.Duration{"": 24 * time.Hour, "0": 0, "0s": 0, "36h": 36 * time.Hour} {
			if got := load(t, map[string]string{"INVITE_REMIND_BEFORE": v}).Domain.InviteRemindBefore; got != want {
				t.Errorf("INVITE_REMIND_BEFORE=%q: %s, want %s", v, got, want)
			}
		}
	})
	t.Run("QueryLimits", func(t *testing.T) {
		c := load(t, nil)
		if want := (config.Limits{QueryBytes: 65536, QueryTokens: 5000, Aliases: 100, Selections: 100, Directives: 10, ValidationCost: 50000, Introspection: 5,
			Errors: 100, RequestTimeout: 30 * time.Second, QueryCacheMiB: 32, PersistedQueryCacheMiB: 16}); c.GraphQL.Limits != want {
			t.Errorf("limits = %+v, want %+v", c.GraphQL.Limits, want)
		}
	})
	t.Run("Caps", func(t *testing.T) {
		c := load(t, nil)
		if c.Webhooks.EndpointLimit != 20 || c.Domain.SessionLimit != 100 || c.Domain.ProjectLimit != 1000 || c.Domain.InviteLinkLimit != 1000 {
			t.Errorf("caps = %d endpoints, %d sessions, %d projects, %d links; want 20, 100, 1000, 1000",
				c.Webhooks.EndpointLimit, c.Domain.SessionLimit, c.Domain.ProjectLimit, c.Domain.InviteLinkLimit)
		}
		c = load(t, map[string]string{"WEBHOOK_ENDPOINT_LIMIT": "5", "SESSION_LIMIT": "3", "PROJECT_LIMIT": "2", "INVITE_LINK_LIMIT": "7"})
		if c.Webhooks.EndpointLimit != 5 || c.Domain.SessionLimit != 3 || c.Domain.ProjectLimit != 2 || c.Domain.InviteLinkLimit != 7 {
			t.Errorf("caps = %d, %d, %d, %d; want 5, 3, 2, 7", c.Webhooks.EndpointLimit, c.Domain.SessionLimit, c.Domain.ProjectLimit, c.Domain.InviteLinkLimit)
		}
	})
	t.Run("Webhooks", func(t *testing.T) {
		if c := load(t, nil); c.Webhooks.AllowLoopback || c.Webhooks.SecretKey != nil || c.Webhooks.Timeout != 10*time.Second || c.Webhooks.EndpointConcurrency != 16 {
			t.Errorf("default webhooks = %+v", c.Webhooks)
		}
		key := "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // base64 of 0123456789abcdef0123456789abcdef
		c := load(t, map[string]string{"WEBHOOK_ALLOW_LOOPBACK": "true", "WEBHOOK_SECRET_KEY": key, "WEBHOOK_ENDPOINT_CONCURRENCY": "3"})
		if !c.Webhooks.AllowLoopback || string(c.Webhooks.SecretKey) != "0123456789abcdef0123456789abcdef" || c.Webhooks.EndpointConcurrency != 3 {
			t.Errorf("webhooks = %+v", c.Webhooks)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		for k, v := range map[string]string{"INTROSPECTION": "maybe", "LOG_LEVEL": "loud", "SESSION_TTL": "-1h", "INVITE_TTL": "week", "INVITE_RETENTION": "0s", "SWEEP_INTERVAL": "x", "INVITE_REMIND_BEFORE": "-1h",
			"INVITE_RATE_LIMIT": "lots", "COMPLEXITY_LIMIT": "0", "DEPTH_LIMIT": "-1",
			"MAIL_JOB_TIMEOUT": "soon", "MAIL_RESCUE_AFTER": "30s", // a rescue no later than the 30s job timeout
			"LOGIN_CLIENT_FAILURE_LIMIT": "-1", "SIGNUP_CLIENT_LIMIT": "x", "INVITE_RECIPIENT_DAILY_LIMIT": "1.5", "TRUSTED_PROXIES": "proxy.local",
			"QUERY_BYTES_LIMIT": "64k", "QUERY_TOKEN_LIMIT": "0",
			"ALIAS_LIMIT": "-5", "SELECTION_LIMIT": "x", "DIRECTIVE_LIMIT": "1.5", "VALIDATION_COST_LIMIT": "0", "INTROSPECTION_LIMIT": "-1", "ERROR_LIMIT": "none",
			"QUERY_CACHE_MIB": "0", "APQ_CACHE_MIB": "lots", "REQUEST_TIMEOUT": "30",
			"WEBHOOK_ALLOW_LOOPBACK": "yes please", "WEBHOOK_SECRET_KEY": "c2hvcnQ=",
			// These caps have no "off": 0 is refused.
			"WEBHOOK_ENDPOINT_LIMIT": "0", "WEBHOOK_ENDPOINT_CONCURRENCY": "0", "SESSION_LIMIT": "0", "PROJECT_LIMIT": "-1", "INVITE_LINK_LIMIT": "many",
			"DATABASE_READ_MAX_LAG": "0s"} {
			if _, err := config.Load(func(name string) string {
				if name == k {
					return v
				}
				return ""
			}); err == nil || !strings.Contains(err.Error(), k) {
				t.Errorf("%s=%s: err = %v, want one naming %s", k, v, err, k)
			}
		}
	})
}

func TestLoad_Pool(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want config.Pool
	}{
		{"Defaults", nil, config.Pool{MaxConns: 20, MaxIdleConns: 20, ConnMaxLifetime: time.Hour, ConnMaxIdleTime: 5 * time.Minute}},
		{"IdleFollowsOpen", map[string]string{"DB_MAX_CONNS": "50"}, config.Pool{MaxConns: 50, MaxIdleConns: 50, ConnMaxLifetime: time.Hour, ConnMaxIdleTime: 5 * time.Minute}},
		{"AllSet", map[string]string{"DB_MAX_CONNS": "8", "DB_MAX_IDLE_CONNS": "2", "DB_CONN_MAX_LIFETIME": "30m", "DB_CONN_MAX_IDLE_TIME": "10s"},
			config.Pool{MaxConns: 8, MaxIdleConns: 2, ConnMaxLifetime: 30 * time.Minute, ConnMaxIdleTime: 10 * time.Second}},
		{"NoIdle", map[string]string{"DB_MAX_IDLE_CONNS": "0"}, config.Pool{MaxConns: 20, MaxIdleConns: 0, ConnMaxLifetime: time.Hour, ConnMaxIdleTime: 5 * time.Minute}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := load(t, tc.env).Pool; got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, value string }{
		{"DB_MAX_CONNS", "0"}, {"DB_MAX_CONNS", "many"}, {"DB_MAX_IDLE_CONNS", "-1"}, {"DB_MAX_IDLE_CONNS", "21"},
		{"DB_CONN_MAX_LIFETIME", "0s"}, {"DB_CONN_MAX_LIFETIME", "1 hour"}, {"DB_CONN_MAX_IDLE_TIME", "-5m"},
	} {
		t.Run("Error_"+tc.name+"="+tc.value, func(t *testing.T) {
			_, err := config.Load(func(k string) string {
				if k == tc.name {
					return tc.value
				}
				return ""
			})
			if err == nil || !strings.HasPrefix(err.Error(), tc.name+": ") {
				t.Errorf("err = %v, want one starting with %s", err, tc.name)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := config.ParseTrustedProxies(" 10.0.0.1/8,127.0.0.1 ::1 ")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "127.0.0.1/32", "::1/128"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("prefix %d = %s, want %s", i, got[i], want[i])
		}
	}
	if none, err := config.ParseTrustedProxies(""); err != nil || len(none) != 0 {
		t.Errorf("empty: %v, %v; want none", none, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.local", "10.0.0"} {
		if _, err := config.ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestConfiguration_ListsEverySetting: docs/configuration.md's table of environment variables
// has a row for each variable that Load reads and none for one it does not, and each row's
// default, given back to Load, changes nothing.
func TestConfiguration_ListsEverySetting(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, found := strings.Cut(string(doc), "\n## Environment variables\n")
	if !found {
		t.Fatal("docs/configuration.md has no section \"## Environment variables\"")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	rows := regexp.MustCompile("(?m)^\\| `([A-Z_]+)` \\| ([^|]+) \\|").FindAllStringSubmatch(table, -1)
	inDoc := map[string]string{}
	for _, r := range rows {
		if _, twice := inDoc[r[1]]; twice {
			t.Errorf("docs/configuration.md lists %s twice", r[1])
		}
		inDoc[r[1]] = strings.TrimSpace(r[2])
	}
	read := map[string]bool{}
	_, _ = config.Load(func(k string) string { read[k] = true; return "" })
	for name := range read {
		def, ok := inDoc[name]
		if !ok {
			t.Errorf("%s is read but not in docs/configuration.md's table", name)
			continue
		}
		// A default in code quotes (not another setting's name) is a value Load must read back.
		if m := regexp.MustCompile("^`([^`]*)`$").FindStringSubmatch(def); m != nil && !read[m[1]] {
			v := m[1]
			got, err := config.Load(func(k string) string {
				if k == name {
					return v
				}
				return ""
			})
			if err != nil || !equal(got, config.Default()) {
				t.Errorf("%s=%s (the documented default): %v, or a configuration other than Default", name, v, err)
			}
		}
	}
	for name := range inDoc {
		if !read[name] {
			t.Errorf("docs/configuration.md's table lists %s, which is not read", name)
		}
	}
	// The two lists agree both ways above; that there are two at all is checked here.
	if len(read) == 0 || len(inDoc) == 0 {
		t.Errorf("%d settings read and %d documented: the table or Load was not found", len(read), len(inDoc))
	}
}

func equal(a, b config.Config) bool {
	return reflect.DeepEqual(a, b)
}

// TestLoad_Memory reads GOGC and GOMEMLIMIT as the Go runtime does, and refuses what it
// would not take.
func TestLoad_Memory(t *testing.T) {
	for _, tc := range []struct {
		gogc, limit string
		want        config.Memory
		bad         bool
	}{
		{"", "", config.Default().Memory, false},
		{"100", "1GiB", config.Memory{GCPercent: 100, Limit: 1 << 30}, false},
		{"off", "512MiB", config.Memory{GCPercent: -1, Limit: 512 << 20}, false},
		{"200", "off", config.Memory{GCPercent: 200, Limit: math.MaxInt64}, false},
		{"", "1000", config.Memory{GCPercent: 400, Limit: 1000}, false},
		{"", "64KiB", config.Memory{GCPercent: 400, Limit: 64 << 10}, false},
		{"0", "", config.Memory{}, true},
		{"-1", "", config.Memory{}, true},
		{"", "128MB", config.Memory{}, true},
		{"", "0", config.Memory{}, true},
		{"", "9999999TiB", config.Memory{}, true},
	} {
		got, err := config.Load(func(k string) string {
			return map[string]string{"GOGC": tc.gogc, "GOMEMLIMIT": tc.limit}[k]
		})
		if tc.bad {
			if err == nil {
				t.Errorf("GOGC=%q GOMEMLIMIT=%q: no error", tc.gogc, tc.limit)
			}
			continue
		}
		if err != nil || got.Memory != tc.want {
			t.Errorf("GOGC=%q GOMEMLIMIT=%q: %+v, %v; want %+v", tc.gogc, tc.limit, got.Memory, err, tc.want)
		}
	}
}

// TestAllowedOrigins reads CORS_ORIGINS, or takes APP_URL's origin without it.
func TestAllowedOrigins(t *testing.T) {
	for _, tc := range []struct {
		setting, app string
		want         []string
	}{
		{"", "http://localhost:8080", []string{"http://localhost:8080"}},
		{"", "https://app.example/some/path", []string{"https://app.example"}},
		{"https://a.example, https://b.example/", "http://x", []string{"https://a.example", "https://b.example"}},
		{"*", "http://x", []string{"*"}},
		{" , ", "not a url", nil},
	} {
		cfg, err := config.Load(func(k string) string {
			return map[string]string{"CORS_ORIGINS": tc.setting, "APP_URL": tc.app}[k]
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.AllowedOrigins(); !slices.Equal(got, tc.want) {
			t.Errorf("CORS_ORIGINS=%q APP_URL=%q: AllowedOrigins() = %q, want %q", tc.setting, tc.app, got, tc.want)
		}
	}
}

// TestLoad_Idempotency reads how long Idempotency-Keys are kept and their answers' cap, and
// refuses values that would keep nothing.
func TestLoad_Idempotency(t *testing.T) {
	if got := load(t, nil).Idempotency; got.TTL != 24*time.Hour || got.MaxAnswerBytes != 1<<20 {
		t.Errorf("defaults = %+v, want 24h and 1 MiB", got)
	}
	got := load(t, map[string]string{"IDEMPOTENCY_KEY_TTL": "48h", "IDEMPOTENCY_MAX_ANSWER": "4MiB"}).Idempotency
	if got.TTL != 48*time.Hour || got.MaxAnswerBytes != 4<<20 {
		t.Errorf("IDEMPOTENCY_KEY_TTL=48h, IDEMPOTENCY_MAX_ANSWER=4MiB: %+v", got)
	}
	for name, v := range map[string]string{"IDEMPOTENCY_KEY_TTL": "0", "IDEMPOTENCY_MAX_ANSWER": "0"} {
		if _, err := config.Load(func(k string) string { return map[string]string{name: v}[k] }); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v, want an error naming it", name, v, err)
		}
	}
}

// TestLoad_DatabaseDirectURL: DATABASE_URL is taken for a pooler only when DATABASE_DIRECT_URL
// names another address.
func TestLoad_DatabaseDirectURL(t *testing.T) {
	const pooler, direct = "postgres://pgbouncer:6432/invites", "postgres://postgres:5432/invites"
	for _, tc := range []struct {
		name   string
		env    map[string]string
		pooled bool
	}{
		{"Neither", nil, false},
		{"URLOnly", map[string]string{"DATABASE_URL": direct}, false},
		{"DirectOnly", map[string]string{"DATABASE_DIRECT_URL": direct}, false},
		{"Same", map[string]string{"DATABASE_URL": direct, "DATABASE_DIRECT_URL": direct}, false},
		{"Pooler", map[string]string{"DATABASE_URL": pooler, "DATABASE_DIRECT_URL": direct}, true},
	} {
		c := load(t, tc.env)
		if c.Pooled() != tc.pooled || c.DatabaseDirectURL != tc.env["DATABASE_DIRECT_URL"] {
			t.Errorf("%s: Pooled %v, DatabaseDirectURL %q; want %v", tc.name, c.Pooled(), c.DatabaseDirectURL, tc.pooled)
		}
	}
}

// TestLoad_DatabaseRead: no read replica unless DATABASE_READ_URL names one; it may lag a
// second unless DATABASE_READ_MAX_LAG says otherwise.
func TestLoad_DatabaseRead(t *testing.T) {
	if c := load(t, nil); c.DatabaseReadURL != "" || c.DatabaseReadMaxLag != time.Second {
		t.Errorf("defaults: DatabaseReadURL %q, DatabaseReadMaxLag %s; want none and 1s", c.DatabaseReadURL, c.DatabaseReadMaxLag)
	}
	const replica = "postgres://replica:5432/invites"
	c := load(t, map[string]string{"DATABASE_READ_URL": replica, "DATABASE_READ_MAX_LAG": "250ms"})
	if c.DatabaseReadURL != replica || c.DatabaseReadMaxLag != 250*time.Millisecond {
		t.Errorf("DatabaseReadURL %q, DatabaseReadMaxLag %s; want %q and 250ms", c.DatabaseReadURL, c.DatabaseReadMaxLag, replica)
	}
}
