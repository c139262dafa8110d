package webapp

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// appPage is one entry of the app's route table: page('/invite/{token}', InvitePage),
var appPage = regexp.MustCompile(`(?m)^\s*page\('([^']*)',\s*\w+\),?$`)

// appRoutes reads the paths of the app's route table, web/src/routes.ts, as ServeMux patterns.
func appRoutes(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "web", "src", "routes.ts"))
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, m := range appPage.FindAllStringSubmatch(string(src), -1) {
		path := m[1]
		if path == "/" {
			path = "/{$}" // the start page only, not every path under it
		}
		patterns = append(patterns, "GET "+path)
	}
	if len(patterns) == 0 {
		t.Fatal("no page('/path', Component) in web/src/routes.ts: has the table's form changed?")
	}
	return patterns
}

// The server answers with the app exactly the paths the app has a page for: a page missing
// here would be a 404 when opened from an email, and a path missing there would serve an app
// that says "Page not found".
func TestRoutes_AreTheAppsRoutes(t *testing.T) {
	app := appRoutes(t)
	for _, p := range app {
		if !slices.Contains(Routes, p) {
			t.Errorf("web/src/routes.ts has %q; Routes lacks it", p)
		}
	}
	for _, p := range Routes {
		if !slices.Contains(app, p) {
			t.Errorf("Routes has %q; web/src/routes.ts lacks it", p)
		}
	}

	// Each of the app's paths, with a value for each {name}, is answered with the app.
	h := newHandler(built())
	for _, p := range app {
		target := regexp.MustCompile(`\{\w+\}`).ReplaceAllString(strings.TrimSuffix(strings.TrimPrefix(p, "GET "), "{$}"), "x1")
		if resp, body := serve(h, http.MethodGet, target); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s (%s) = %d %.60q, want the app", target, p, resp.StatusCode, body)
		}
	}
}
