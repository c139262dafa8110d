// Package webapp serves the web app (web/, built by Vite into dist/ and embedded here): the
// pages behind every link the server emails, and the admins' console.
//
// The app routes on the client, so every path it has a page for is answered with its
// index.html; its scripts and styles are served under /assets/ with names that change with
// their content, cached for good. Any other path a browser opens (it asks for HTML) gets the
// app's index.html with status 404, so the app shows its own "Page not found"; a path of the API,
// the assets, the metrics or the playground, a file's name and a request that does not ask for
// HTML get Go's plain 404. A binary built without the app (no npm) serves the API; the app's
// pages then answer 503 and say how to build it.
package webapp

import (
	"bytes"
	"embed"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

//go:embed dist
var dist embed.FS

// Routes are the ServeMux patterns of the app's pages: the paths of the app's route table,
// web/src/routes.ts, which TestRoutes_AreTheAppsRoutes holds them to. Any other path is not
// the app's: what the rest of the server does not answer is 404 (NotFoundPattern).
var Routes = []string{
	"GET /{$}",
	"GET /login",
	"GET /signup",
	"GET /invite/{token}",
	"GET /join/{token}",
	"GET /verify-email/{token}",
	"GET /forgot-password",
	"GET /reset-password/{token}",
	"GET /account",
	"GET /projects/{id}",
	"GET /projects/{id}/invitations",
	"GET /projects/{id}/links",
	"GET /projects/{id}/bulk",
	"GET /projects/{id}/webhooks",
	"GET /projects/{id}/activity",
	"GET /projects/{id}/insights",
	"GET /projects/{id}/requests",
	"GET /projects/{id}/domains",
}

// AssetsPattern is the ServeMux pattern of the app's scripts and styles.
const AssetsPattern = "GET /assets/"

// NotFoundPattern catches every request that no other pattern of the server's mux answers: a
// browser's GET gets the app's "Page not found", anything else a plain 404 (or 405 for another
// method at one of Routes). It names no method so as not to conflict with "/graphql".
const NotFoundPattern = "/"

// plainPrefixes are the paths that are never the app's, whatever the client asks for: an API
// client or a script mistyping one of them gets a plain 404, not a page of HTML.
var plainPrefixes = []string{"/graphql", "/api", "/assets/", "/metrics", "/playground", "/healthz", "/readyz", "/.well-known/"}

// ContentSecurityPolicy lets the app load only its own scripts and styles (no inline script or
// style) and talk only to this server: the browser refuses everything from any other host.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Web app not built</title></head>
<body><h1>The web app is not available</h1>
<p>The web app is not built: run <code>make run</code> or <code>make assets</code> (it needs
node 20 and npm), then restart the server. The GraphQL API at /graphql works without it.</p>
</body></html>
`

var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".svg": "image/svg+xml",
	".png": "image/png",
	".txt": "text/plain; charset=utf-8",
}

// Handler serves the app from the embedded build. Mount it at each of Routes and at
// AssetsPattern, and NotFound at NotFoundPattern; Mount does all of it.
func Handler() http.Handler {
	return embedded()
}

func embedded() *handler {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed directive guarantees the folder
	}
	return newHandler(sub)
}

// Mount registers the app's pages, its assets and its "Page not found" on mux.
func Mount(mux *http.ServeMux) {
	h := embedded()
	for _, pattern := range Routes {
		mux.Handle(pattern, h)
	}
	mux.Handle(AssetsPattern, h)
	mux.Handle(NotFoundPattern, notFound{h})
}

type handler struct {
	index  []byte // nil when the app is not built
	assets map[string]asset
}

type asset struct {
	body        []byte
	contentType string
}

func newHandler(fsys fs.FS) *handler {
	h := &handler{assets: map[string]asset{}}
	index, err := fs.ReadFile(fsys, "index.html")
	if err != nil {
		return h // not built
	}
	h.index = index
	entries, _ := fs.ReadDir(fsys, "assets")
	for _, e := range entries {
		ctype, ok := contentTypes[path.Ext(e.Name())]
		if e.IsDir() || !ok {
			continue
		}
		body, err := fs.ReadFile(fsys, "assets/"+e.Name())
		if err != nil {
			panic(err)
		}
		h.assets[e.Name()] = asset{body, ctype}
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if name, ok := strings.CutPrefix(r.URL.Path, "/assets/"); ok {
		a, found := h.assets[name]
		if !found {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", a.contentType)
		// Vite names each file by a hash of its content: a name is never reused.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Referrer-Policy", "no-referrer") // the invite's token is in the page's URL
	if h.index == nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		if r.Method != http.MethodHead {
			io.WriteString(w, notBuiltPage)
		}
		return
	}
	w.Header().Set("Content-Security-Policy", ContentSecurityPolicy)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(h.index))
}

// notFound answers a path that nothing else answers: 404, with the app's index.html (whose
// route table has no page there, so it shows "Page not found") for a browser opening a page.
type notFound struct{ app *handler }

func (n notFound) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if isRoute(r.URL.Path) {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		http.NotFound(w, r)
		return
	}
	if n.app.index == nil || !wantsPage(r) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", ContentSecurityPolicy)
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		w.Write(n.app.index)
	}
}

// routes matches the paths of Routes, to tell a wrong method at a page (405) from no page.
var routes = func() *http.ServeMux {
	mux := http.NewServeMux()
	for _, pattern := range Routes {
		mux.Handle(pattern, http.NotFoundHandler())
	}
	return mux
}()

func isRoute(p string) bool {
	_, pattern := routes.Handler(&http.Request{Method: http.MethodGet, URL: &url.URL{Path: p}})
	return pattern != ""
}

// wantsPage says whether r is a browser opening a page: it asks for HTML, at a path that is
// neither one of plainPrefixes nor a file's name (favicon.ico, robots.txt, index.html).
func wantsPage(r *http.Request) bool {
	if !strings.Contains(r.Header.Get("Accept"), "text/html") {
		return false
	}
	for _, prefix := range plainPrefixes {
		if r.URL.Path == strings.TrimSuffix(prefix, "/") || strings.HasPrefix(r.URL.Path, prefix) {
			return false
		}
	}
	return !strings.Contains(path.Base(r.URL.Path), ".")
}
