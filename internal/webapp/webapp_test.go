package webapp

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func built() fstest.MapFS {
	return fstest.MapFS{
		"README.md":            {Data: []byte("# generated")},
		"index.html":           {Data: []byte(`<!doctype html><html><head><script type="module" src="/assets/index-abc.js"></script></head><body><div id="root"></div></body></html>`)},
		"assets/index-abc.js":  {Data: []byte(`console.log("app")`)},
		"assets/index-def.css": {Data: []byte(`body{margin:0}`)},
	}
}

func serve(h http.Handler, method, target string) (*http.Response, string) {
	mux := http.NewServeMux()
	for _, p := range Routes {
		mux.Handle(p, h)
	}
	mux.Handle(AssetsPattern, h)
	mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "api") })
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	resp := rec.Result()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// Every page the app routes to is answered with its index.html, under the strict policy.
func TestHandler_Routes(t *testing.T) {
	h := newHandler(built())
	for _, target := range []string{"/", "/login", "/signup", "/invite/abc-DEF_123", "/verify-email/xyz", "/forgot-password", "/reset-password/xyz", "/account", "/projects/UHJvamVjdDox", "/projects/UHJvamVjdDox/bulk", "/login?next=%2Fprojects%2F1"} {
		resp, body := serve(h, http.MethodGet, target)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<div id="root">`) {
			t.Errorf("GET %s = %d %.80q, want the app's index.html", target, resp.StatusCode, body)
			continue
		}
		if got := resp.Header.Get("Content-Security-Policy"); got != ContentSecurityPolicy {
			t.Errorf("GET %s: Content-Security-Policy %q, want %q", target, got, ContentSecurityPolicy)
		}
		if got := resp.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", target, got)
		}
	}
	for _, want := range []string{"default-src 'self'", "script-src 'self';", "connect-src 'self';", "frame-ancestors 'none'"} {
		if !strings.Contains(ContentSecurityPolicy, want) {
			t.Errorf("the policy %q lacks %q", ContentSecurityPolicy, want)
		}
	}
	if strings.Contains(ContentSecurityPolicy, "unsafe-inline") || strings.Contains(ContentSecurityPolicy, "http") {
		t.Errorf("the policy %q allows inline code or another host", ContentSecurityPolicy)
	}
}

// Paths that are not the app's pages are not answered with the app: an API client mistyping a
// path gets a 404, not a page of HTML.
func TestHandler_NotFound(t *testing.T) {
	h := newHandler(built())
	for _, target := range []string{"/graphql/x", "/api/users", "/invite/", "/invite/a/b", "/projects/1/members", "/assets/missing.js", "/assets/", "/index.html", "/favicon.ico", "/README.md"} {
		if resp, body := serve(h, http.MethodGet, target); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d %.60q, want 404", target, resp.StatusCode, body)
		}
	}
	if resp, _ := serve(h, http.MethodPost, "/login"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /login = %d, want 405", resp.StatusCode)
	}
}

func TestHandler_Assets(t *testing.T) {
	h := newHandler(built())
	for name, ctype := range map[string]string{"/assets/index-abc.js": "text/javascript; charset=utf-8", "/assets/index-def.css": "text/css; charset=utf-8"} {
		resp, body := serve(h, http.MethodGet, name)
		if resp.StatusCode != http.StatusOK || body == "" {
			t.Errorf("GET %s = %d %q", name, resp.StatusCode, body)
		}
		if got := resp.Header.Get("Content-Type"); got != ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", name, got, ctype)
		}
		if got := resp.Header.Get("Cache-Control"); !strings.Contains(got, "immutable") {
			t.Errorf("GET %s: Cache-Control %q, want immutable", name, got)
		}
	}
}

func TestHandler_NotBuilt(t *testing.T) {
	h := newHandler(fstest.MapFS{"README.md": {Data: []byte("# generated")}})
	resp, body := serve(h, http.MethodGet, "/invite/abc")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "make assets") {
		t.Errorf("GET /invite/abc without a build = %d %q, want 503 saying how to build it", resp.StatusCode, body)
	}
}

// TestHandler_Embedded checks the real embedded folder, whichever state it is in.
func TestHandler_Embedded(t *testing.T) {
	resp, _ := serve(Handler(), http.MethodGet, "/")
	_, err := dist.ReadFile("dist/index.html")
	switch {
	case err != nil && resp.StatusCode != http.StatusServiceUnavailable:
		t.Errorf("without a build GET / = %d, want 503", resp.StatusCode)
	case err == nil && resp.StatusCode != http.StatusOK:
		t.Errorf("with a build GET / = %d, want 200", resp.StatusCode)
	}
}
