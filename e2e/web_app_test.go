package e2e

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pglocal"
	"github.com/invites/invites/internal/pgtest"
)

// TestServer_WebApp runs the web app's browser tests (web/e2e/run.mjs: playwright-core driving
// Debian's Chromium, axe-core injected) against the real server, the real PostgreSQL and a real
// SMTP server. The server's APP_URL is its own address, so every emailed link opens the app.
// The script reads the delivered emails and the database through a small control server that
// this test runs beside the app; every page's requests to any other host fail the script.
func TestServer_WebApp(t *testing.T) {
	browser := findChromium(t)
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("the web app's browser tests need %s: %v", tool, err)
			}
			t.Skipf("no %s: the web app's browser tests need node 20+ and npm", tool)
		}
	}
	webDir, err := filepath.Abs(filepath.Join(pglocal.ModuleRoot(), "web"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(webDir, "node_modules", "playwright-core")); err != nil {
		runIn(t, webDir, nil, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	}

	smtp := smtptest.Start(t)
	// Two addresses whose mailbox does not exist: the mail server refuses them for good.
	bounces := []string{e2eEmail("bounce-a"), e2eEmail("bounce-b")}
	for _, b := range bounces {
		smtp.OnRcpt(b, func(int) error { return smtptest.Error(550) })
	}
	addr := freeLoopbackAddr(t)
	base := startServer(t, map[string]string{
		"ADDR": addr, "APP_URL": "http://" + addr, "SMTP_URL": smtp.URL(),
		"SWEEP_INTERVAL": "1h", "INVITE_RECIPIENT_DAILY_LIMIT": "0",
		"WEBHOOK_ALLOW_LOOPBACK": "true", // the webhooks page's endpoint is control's /hook
	})
	if code, body := httpGet(t, base+"/"); code != http.StatusOK {
		t.Fatalf("GET / = %d: the web app is not built (make assets): %.300s", code, body)
	}

	control := httptest.NewServer(controlHandler(t, smtp, base))
	defer control.Close()

	input, _ := json.Marshal(map[string]any{
		"base": base, "control": control.URL, "chromium": browser, "bounces": bounces,
		"screenshots": os.Getenv("WEB_SCREENSHOTS"),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "e2e/run.mjs")
	cmd.Dir = webDir
	cmd.Env = append(os.Environ(), "E2E_INPUT="+string(input))
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		t.Log(line)
	}
	if err != nil {
		t.Fatalf("web/e2e/run.mjs: %v", err)
	}
	if !strings.Contains(string(out), "browser tests passed") {
		t.Fatal("web/e2e/run.mjs ended without saying that its tests passed")
	}
}

// freeLoopbackAddr returns a 127.0.0.1 address with a port free a moment ago: the server's
// APP_URL must name its own address before it starts.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// controlHandler gives the browser script what a person has and a browser has not: the mailbox
// (GET /mail?to=&n=: the first n messages to an address, waiting up to 15 s) and the database
// (POST /sql {"sql", "args"}: the rows as JSON objects), to check what the pages did and to move
// an invite's expiry into the past.
func controlHandler(t *testing.T, smtp *smtptest.Server, base string) http.Handler {
	db := pgtest.DB(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /mail", func(w http.ResponseWriter, r *http.Request) {
		to := r.URL.Query().Get("to")
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		deadline := time.Now().Add(15 * time.Second)
		msgs := smtp.Received(to)
		for len(msgs) < max(n, 1) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			msgs = smtp.Received(to)
		}
		type mail struct {
			Subject string   `json:"subject"`
			Text    string   `json:"text"`
			Links   []string `json:"links"`
		}
		out := []mail{}
		for _, m := range msgs {
			links := []string{}
			for _, kind := range []string{"/invite/", "/verify-email/", "/reset-password/"} {
				if l := m.Link(base + kind); l != "" {
					links = append(links, l)
				}
			}
			out = append(out, mail{m.Subject, m.Text, links})
		}
		json.NewEncoder(w).Encode(out)
	})
	// A webhook receiver that refuses its first post (400) and takes the others.
	var hookPosts atomic.Int32
	mux.HandleFunc("POST /hook", func(w http.ResponseWriter, r *http.Request) {
		if hookPosts.Add(1) == 1 {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /sql", func(w http.ResponseWriter, r *http.Request) {
		var q struct {
			SQL  string `json:"sql"`
			Args []any  `json:"args"`
		}
		if err := json.NewDecoder(r.Body).Decode(&q); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rows, err := db.DB.QueryContext(r.Context(), q.SQL, q.Args...) // *sql.DB: $1 placeholders, as PostgreSQL writes them
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		out := []map[string]any{}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			row := map[string]any{}
			for i, c := range cols {
				if b, ok := vals[i].([]byte); ok {
					vals[i] = string(b)
				}
				row[c] = vals[i]
			}
			out = append(out, row)
		}
		if err := rows.Err(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		json.NewEncoder(w).Encode(out)
	})
	return mux
}
