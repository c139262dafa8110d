package playground

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// built stands for assets/ after playground/build.sh: the files the page needs, and a license.
func built() fstest.MapFS {
	return fstest.MapFS{
		"README.md":            {Data: []byte("# generated")},
		"react.js":             {Data: []byte("window.React = {};")},
		"react-dom.js":         {Data: []byte("window.ReactDOM = {};")},
		"graphiql.js":          {Data: []byte("window.GraphiQL = function () {};")},
		"graphiql.css":         {Data: []byte(".graphiql-container { display: flex }")},
		"graphiql.LICENSE.txt": {Data: []byte("MIT License")},
	}
}

func get(t *testing.T, h http.Handler, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	resp := rec.Result()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestHandler_NotBuilt(t *testing.T) {
	h := newHandler(fstest.MapFS{"README.md": {Data: []byte("# generated")}}, "/graphql")

	resp, body := get(t, h, "/playground")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET /playground = %d, want 503", resp.StatusCode)
	}
	if !strings.Contains(body, "assets are not built") || !strings.Contains(body, "make assets") {
		t.Errorf("GET /playground says %q, want how to build the assets", body)
	}
	for _, p := range []string{"/playground/init.js", "/playground/graphiql.js", "/playground/README.md"} {
		if resp, _ := get(t, h, p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, resp.StatusCode)
		}
	}
}

func TestHandler_Page(t *testing.T) {
	h := newHandler(built(), "/graphql")

	resp, body := get(t, h, "/playground")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /playground = %d, want 200", resp.StatusCode)
	}
	if got := resp.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q, want text/html", got)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") {
		t.Errorf("Content-Security-Policy = %q, want scripts from the page's origin only", csp)
	}
	if !strings.Contains(body, `data-endpoint="/graphql"`) {
		t.Errorf("the page does not name the endpoint: %s", body)
	}

	// Every URL in the page is a path on this server, and each one answers.
	refs := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(body, -1)
	var loaded []string
	for _, m := range refs {
		ref := m[1]
		if ref == "data:," { // the empty favicon, which spares a request
			continue
		}
		if !strings.HasPrefix(ref, "/playground/") {
			t.Errorf("the page references %q, want a path under /playground/", ref)
			continue
		}
		loaded = append(loaded, ref)
		if resp, _ := get(t, h, ref); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", ref, resp.StatusCode)
		}
	}
	if len(loaded) != 5 {
		t.Errorf("the page loads %v, want the four assets and init.js", loaded)
	}
	if strings.Contains(body, "http://") || strings.Contains(body, "https://") || strings.Contains(body, "//cdn") {
		t.Errorf("the page contains an absolute URL: %s", body)
	}
}

func TestHandler_Assets(t *testing.T) {
	h := newHandler(built(), "/graphql")
	_, page := get(t, h, "/playground")
	versioned := regexp.MustCompile(`/playground/graphiql\.js\?v=[0-9a-f]+`).FindString(page)
	if versioned == "" {
		t.Fatalf("no versioned graphiql.js in the page: %s", page)
	}

	for _, tc := range []struct {
		target, contentType, cache, body string
	}{
		{versioned, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "window.GraphiQL"},
		{"/playground/graphiql.js", "text/javascript; charset=utf-8", "no-cache", "window.GraphiQL"},
		{"/playground/graphiql.css", "text/css; charset=utf-8", "no-cache", ".graphiql-container"},
		{"/playground/graphiql.LICENSE.txt", "text/plain; charset=utf-8", "no-cache", "MIT License"},
		{"/playground/init.js", "text/javascript; charset=utf-8", "no-cache", "GraphiQL"},
	} {
		resp, body := get(t, h, tc.target)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", tc.target, resp.StatusCode)
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != tc.contentType {
			t.Errorf("GET %s: Content-Type = %q, want %q", tc.target, got, tc.contentType)
		}
		if got := resp.Header.Get("Cache-Control"); got != tc.cache {
			t.Errorf("GET %s: Cache-Control = %q, want %q", tc.target, got, tc.cache)
		}
		if !strings.Contains(body, tc.body) {
			t.Errorf("GET %s = %q, want %q in it", tc.target, body, tc.body)
		}
	}

	// A revalidation with the current ETag costs no body.
	resp, _ := get(t, h, "/playground/graphiql.js")
	req := httptest.NewRequest(http.MethodGet, "/playground/graphiql.js", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("GET with If-None-Match = %d, want 304", rec.Code)
	}
}

func TestHandler_NotFound(t *testing.T) {
	h := newHandler(built(), "/graphql")
	for _, p := range []string{"/", "/favicon.ico", "/index.html", "/playground/", "/playground/README.md", "/playground/missing.js", "/graphiql.js"} {
		if resp, _ := get(t, h, p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, resp.StatusCode)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/playground", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /playground = %d, want 405", rec.Code)
	}
}

// TestHandler_Embedded checks the real embedded folder, whichever state it is in.
func TestHandler_Embedded(t *testing.T) {
	resp, _ := get(t, Handler("/graphql"), "/playground")
	_, err := assets.ReadFile("assets/graphiql.js")
	switch {
	case err != nil && resp.StatusCode != http.StatusServiceUnavailable:
		t.Errorf("without built assets GET /playground = %d, want 503", resp.StatusCode)
	case err == nil && resp.StatusCode != http.StatusOK:
		t.Errorf("with built assets GET /playground = %d, want 200", resp.StatusCode)
	}
}

// TestContentSecurityPolicy_Socket: the page may open its subscriptions' WebSocket to an
// endpoint on another origin, and to nothing else there.
func TestContentSecurityPolicy_Socket(t *testing.T) {
	for endpoint, want := range map[string]string{
		"/graphql":                      "connect-src 'self';",
		"https://api.example/graphql":   "connect-src 'self' https://api.example wss://api.example;",
		"http://127.0.0.1:8080/graphql": "connect-src 'self' http://127.0.0.1:8080 ws://127.0.0.1:8080;",
	} {
		if csp := contentSecurityPolicy(endpoint); !strings.Contains(csp, want) {
			t.Errorf("endpoint %s: Content-Security-Policy %q, want %q", endpoint, csp, want)
		}
	}
}
