package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invites/invites/internal/pglocal"
)

// privateCluster starts a PostgreSQL of the test's own (initdb under a temporary folder, on
// a free port), so that the test can stop and start it; it is stopped and removed at the end.
// It returns the folder (for pglocal.Stop) and the server's URL.
func privateCluster(t *testing.T) (root, server string) {
	t.Helper()
	root, err := os.MkdirTemp("", "invites-outage-")
	if err != nil {
		t.Fatal(err)
	}
	// PostgreSQL runs as the postgres user when the tests run as root: it must reach .data/.
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := pglocal.Stop(root); err != nil {
			t.Errorf("stop the private PostgreSQL: %v", err)
		}
		os.RemoveAll(root)
	})
	// Nothing listens on port 1, so pglocal starts the cluster under root.
	server, err = pglocal.ServerURL(context.Background(), root, "127.0.0.1:1")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skipf("no private PostgreSQL can be started here: %v", err)
	}
	return root, server
}

// outcome is one request's answer during the load.
type outcome struct {
	start, end time.Time
	status     int
	code       string // the first error's extensions.code, "" for none
	body       string
}

// TestServer_DatabaseOutage stops the database under load and starts it again: meanwhile the
// server answers UNAVAILABLE with HTTP 503 (never BAD_USER_INPUT, never the database's
// address), /readyz is 503, and after the restart everything answers normally again.
func TestServer_DatabaseOutage(t *testing.T) {
	root, server := privateCluster(t)
	dbURL, err := pglocal.EnsureDatabase(context.Background(), server, "invites")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(dbURL)
	secrets := []string{u.Port(), "user=", "database=", "127.0.0.1", "dial", "connect", "SQLSTATE"}

	base := startServer(t, map[string]string{"DATABASE_URL": dbURL})
	c := e2eClient{t, base}
	token := c.signUp(map[string]any{"email": e2eEmail("outage"), "password": "correct horse", "name": "O"}).SignUp.Token

	// The load: a query and a mutation, each needing the database, from four clients.
	var (
		mu       sync.Mutex
		outcomes []outcome
		stop     = make(chan struct{})
		wg       sync.WaitGroup
	)
	requests := []string{
		`{"query":"query Viewer { me { id email } }"}`,
		`{"query":"mutation Create { createProject(input: {name: \"Under load\"}) { id } }"}`,
	}
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				o := outcome{start: time.Now()}
				req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(requests[(i+n)%2]))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Errorf("request: %v", err)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				o.end, o.status, o.body = time.Now(), resp.StatusCode, string(b)
				var r struct {
					Errors e2eErrors `json:"errors"`
				}
				json.Unmarshal(b, &r)
				o.code = r.Errors.code()
				mu.Lock()
				outcomes = append(outcomes, o)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}

	// Each phase lasts until it has ten answers of its own, however slow a busy machine makes
	// them: a probe of the outcomes, not a fixed time that could hold too few.
	answered := func(what string, since func() time.Time) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			mu.Lock()
			n := 0
			for _, o := range outcomes {
				if o.start.After(since()) {
					n++
				}
			}
			mu.Unlock()
			if n >= 10 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d answers %s within a minute, want 10", n, what)
			}
		}
	}
	answered("before the outage", func() time.Time { return time.Time{} })
	if err := pglocal.Stop(root); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	answered("during the outage", func() time.Time { return down })
	if code, body := httpGet(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database down = %d %q, want 503", code, body)
	}
	up := time.Now()
	if _, err := pglocal.ServerURL(context.Background(), root, "127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	restarted := time.Now()

	// After the restart, answers are normal again (stale connections in the pool are replaced
	// as they are found).
	var recovered time.Time
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if errs := c.try(token, `{ me { id } }`, nil, nil); len(errs) == 0 {
			recovered = time.Now()
			break
		}
	}
	if recovered.IsZero() {
		t.Fatal("the server did not recover within 60 s of the database's restart")
	}
	answered("after recovery", func() time.Time { return recovered })
	close(stop)
	wg.Wait()

	var during, after, unavailable int
	for _, o := range outcomes {
		if o.code != "" && o.code != "UNAVAILABLE" {
			t.Errorf("%s: code %s, want none or UNAVAILABLE: %.300s", o.start.Format("15:04:05.000"), o.code, o.body)
		}
		if o.code == "UNAVAILABLE" {
			unavailable++
			if o.status != http.StatusServiceUnavailable {
				t.Errorf("UNAVAILABLE with HTTP %d, want 503", o.status)
			}
			for _, s := range secrets {
				if strings.Contains(o.body, s) {
					t.Errorf("the answer leaks %q: %s", s, o.body)
				}
			}
		}
		switch {
		case o.start.After(down) && o.end.Before(up):
			during++
			if o.code != "UNAVAILABLE" {
				t.Errorf("during the outage: HTTP %d %.300s, want UNAVAILABLE", o.status, o.body)
			}
		case o.start.After(recovered):
			after++
			if o.status != http.StatusOK || o.code != "" {
				t.Errorf("after recovery: HTTP %d %.300s, want a normal answer", o.status, o.body)
			}
		}
	}
	if during < 10 || after < 10 {
		t.Errorf("%d answers during the outage and %d after recovery; want 10 or more of each", during, after)
	}
	if code, body := httpGet(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz after the restart = %d %q, want 200", code, body)
	}
	// The load's UNAVAILABLE answers, and those to the polling for recovery.
	if got := metricValue(t, base, `invites_graphql_errors_total{code="UNAVAILABLE"}`); got < float64(unavailable) {
		t.Errorf(`invites_graphql_errors_total{code="UNAVAILABLE"} = %v, want at least %d`, got, unavailable)
	}
	t.Logf("%d answers: %d during the outage, %d UNAVAILABLE in all, %d after recovery (%v after the restart)",
		len(outcomes), during, unavailable, after, recovered.Sub(restarted).Round(time.Millisecond))
}
