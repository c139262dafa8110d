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

func serve(h *handler, method, target string, header ...string) (*http.Response, string) {
	mux := http.NewServeMux()
	for _, p := range Routes {
		mux.Handle(p, h)
	}
	mux.Handle(AssetsPattern, h)
	mux.Handle(NotFoundPattern, notFound{h})
	mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "api") })
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	mux.ServeHTTP(rec, req)
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
	for _, target := range []string{"/login", "/", "/invite/abc"} {
		if resp, _ := serve(h, http.MethodPost, target); resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST %s = %d, want 405", target, resp.StatusCode)
		}
	}
	for _, target := range []string{"/nothing-here", "/graphql/x", "/invite/"} {
		if resp, _ := serve(h, http.MethodPost, target, "Accept", "text/html"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s = %d, want 404", target, resp.StatusCode)
		}
	}
}

// A browser opening a path the app has no page for gets the app, which says "Page not found",
// with status 404; the API's, the assets' and the server's own paths, files, and clients that
// do not ask for HTML get a plain 404.
func TestNotFound_Page(t *testing.T) {
	h := newHandler(built())
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	for _, target := range []string{"/nothing-here", "/invite/", "/invite/a/b", "/projects/1/members", "/signup/", "/x?next=%2F"} {
		resp, body := serve(h, http.MethodGet, target, "Accept", browser)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `<div id="root">`) {
			t.Errorf("browser GET %s = %d %.80q, want 404 with the app", target, resp.StatusCode, body)
			continue
		}
		if got := resp.Header.Get("Content-Security-Policy"); got != ContentSecurityPolicy {
			t.Errorf("browser GET %s: Content-Security-Policy %q", target, got)
		}
		if got := resp.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
			t.Errorf("browser GET %s: Content-Type %q", target, got)
		}
	}
	if resp, body := serve(h, http.MethodHead, "/nothing-here", "Accept", browser); resp.StatusCode != http.StatusNotFound || body != "" {
		t.Errorf("browser HEAD /nothing-here = %d %q, want 404 with no body", resp.StatusCode, body)
	}
	plain := []string{"/graphql/x", "/graphqlx", "/api", "/api/users", "/assets/missing.js", "/assets/", "/metrics/x", "/playground/x", "/healthz/x",
		"/readyz/x", "/.well-known/security.txt", "/favicon.ico", "/robots.txt", "/index.html", "/README.md"}
	for _, target := range plain {
		resp, body := serve(h, http.MethodGet, target, "Accept", browser)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "<html") {
			t.Errorf("browser GET %s = %d %.80q, want a plain 404", target, resp.StatusCode, body)
		}
	}
	for _, accept := range []string{"", "application/json", "*/*"} {
		if resp, body := serve(h, http.MethodGet, "/nothing-here", "Accept", accept); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "<html") {
			t.Errorf("GET /nothing-here with Accept %q = %d %.80q, want a plain 404", accept, resp.StatusCode, body)
		}
	}
	// Without a build there is no app to say it: plain 404.
	unbuilt := newHandler(fstest.MapFS{"README.md": {Data: []byte("# generated")}})
	if resp, body := serve(unbuilt, http.MethodGet, "/nothing-here", "Accept", browser); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "<html") {
		t.Errorf("unbuilt: browser GET /nothing-here = %d %.80q, want a plain 404", resp.StatusCode, body)
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
	resp, _ := serve(embedded(), http.MethodGet, "/")
	_, err := dist.ReadFile("dist/index.html")
	switch {
	case err != nil && resp.StatusCode != http.StatusServiceUnavailable:
		t.Errorf("without a build GET / = %d, want 503", resp.StatusCode)
	case err == nil && resp.StatusCode != http.StatusOK:
		t.Errorf("with a build GET / = %d, want 200", resp.StatusCode)
	}
}
