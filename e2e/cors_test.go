package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestCORS(t *testing.T) {
	base := startServer(t, map[string]string{"APP_URL": "https://app.example/"})
	request := func(method, origin string) *http.Response {
		req, _ := http.NewRequest(method, base+"/graphql", nil)
		req.Header.Set("Origin", origin)
		if method == http.MethodOptions {
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "accept, authorization, content-type")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	resp := request(http.MethodOptions, "https://app.example")
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		resp.Header.Get("Access-Control-Allow-Headers") == "" {
		t.Errorf("preflight from the app: %d %v", resp.StatusCode, resp.Header)
	}
	// Apollo Client's Accept for a subscription over multipart HTTP has a quote: the browser
	// asks before it sends it.
	if allowed := resp.Header.Get("Access-Control-Allow-Headers"); !slices.Contains(strings.Split(allowed, ", "), "Accept") {
		t.Errorf("preflight from the app: Allow-Headers %q, want Accept among them", allowed)
	}
	if got := request(http.MethodGet, "https://app.example").Header.Get("Access-Control-Allow-Origin"); got != "https://app.example" {
		t.Errorf("GET from the app: Allow-Origin %q", got)
	}
	evil := request(http.MethodOptions, "https://evil.example")
	if got := evil.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("another origin is allowed: %q", got)
	}
	// Every answer varies by Origin, allowed or not, so that a shared cache keeps them apart.
	for name, resp := range map[string]*http.Response{
		"preflight from the app": resp, "preflight from another origin": evil,
		"GET from another origin": request(http.MethodGet, "https://evil.example"),
		"GET with no origin":      request(http.MethodGet, ""),
	} {
		if vary := resp.Header.Values("Vary"); !slices.Contains(vary, "Origin") {
			t.Errorf("%s: Vary %q, want Origin among them", name, vary)
		}
	}
	if vary := evil.Header.Values("Vary"); !slices.Contains(vary, "Access-Control-Request-Headers") {
		t.Errorf("preflight: Vary %q, want Access-Control-Request-Headers among them", vary)
	}
}
