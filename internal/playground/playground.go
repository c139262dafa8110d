// Package playground serves GraphiQL, the in-browser GraphQL IDE, from files embedded in the
// binary: the page loads nothing from a CDN, so it works on a machine without internet.
//
// GraphiQL and React are not committed: playground/build.sh copies them from the npm packages
// pinned in playground/package-lock.json into assets/ before the build (make run, make test,
// make assets). A binary built without them still serves the API; its page at /playground
// answers 503 and says how to build them.
package playground

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

//go:embed assets
var assets embed.FS

//go:embed index.html init.js
var own embed.FS

// required are the files the page loads from assets/, by the name they are served under.
var required = []string{"react.js", "react-dom.js", "graphiql.js", "graphiql.css"}

// contentTypes are set explicitly rather than from the system's MIME table, which varies.
var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".txt": "text/plain; charset=utf-8",
}

// Path is the playground page's own path; its scripts and styles are served under Prefix.
const Path = "/playground"

// Prefix is the path under which the page's scripts and styles are served.
const Prefix = Path + "/"

var indexTmpl = template.Must(template.ParseFS(own, "index.html"))

const (
	immutable  = "public, max-age=31536000, immutable"
	revalidate = "no-cache"
)

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Playground not built</title></head>
<body><h1>The playground is not available</h1>
<p>The playground's assets are not built: run <code>make run</code> or <code>make assets</code>
(it needs npm), then restart the server. The GraphQL API itself works without them.</p>
</body></html>
`

// Handler serves the GraphiQL page at Path for the GraphQL API at endpoint, and
// its scripts and styles under Prefix. Any other path is not found. Mount it at "GET "+Path and
// "GET "+Prefix. (The web app has the root.)
func Handler(endpoint string) http.Handler {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the embed directive guarantees the folder
	}
	return newHandler(sub, endpoint)
}

type handler struct {
	page  []byte // nil when the assets are not built
	csp   string
	files map[string]file // by path under Prefix
}

type file struct {
	body        []byte
	contentType string
	version     string // a hash of body, in the page's URLs so they can be cached for good
}

func newHandler(fsys fs.FS, endpoint string) *handler {
	h := &handler{files: map[string]file{}}
	if err := h.load(fsys, "."); err != nil {
		panic(err)
	}
	if err := h.load(own, "."); err != nil {
		panic(err)
	}
	for _, name := range required {
		if _, ok := h.files[name]; !ok {
			h.files = map[string]file{} // serve nothing half-built
			return h
		}
	}
	urls := map[string]string{}
	for name, f := range h.files {
		urls[name] = Prefix + name + "?v=" + f.version
	}
	var buf bytes.Buffer
	if err := indexTmpl.Execute(&buf, struct {
		Endpoint string
		URL      map[string]string
	}{endpoint, urls}); err != nil {
		panic(err)
	}
	h.page = buf.Bytes()
	h.csp = contentSecurityPolicy(endpoint)
	return h
}

// load adds fsys's files of a known type (not README.md, not index.html) to h.files.
func (h *handler) load(fsys fs.FS, dir string) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		ctype, ok := contentTypes[path.Ext(e.Name())]
		if e.IsDir() || !ok {
			continue
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		h.files[e.Name()] = file{body: body, contentType: ctype, version: hex.EncodeToString(sum[:6])}
	}
	return nil
}

// contentSecurityPolicy lets the page load only its own files and talk only to its origin
// and the endpoint's: the browser itself refuses anything from elsewhere.
func contentSecurityPolicy(endpoint string) string {
	connect := "'self'"
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		socket := "ws"
		if u.Scheme == "https" {
			socket = "wss"
		}
		connect += " " + u.Scheme + "://" + u.Host + " " + socket + "://" + u.Host // subscriptions: a WebSocket
	}
	return "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
		"img-src 'self' data:; font-src 'self' data:; connect-src " + connect + "; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	switch {
	case r.URL.Path == Path:
		h.serveIndex(w, r)
	case strings.HasPrefix(r.URL.Path, Prefix):
		f, ok := h.files[strings.TrimPrefix(r.URL.Path, Prefix)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.contentType)
		w.Header().Set("ETag", `"`+f.version+`"`)
		// Only a URL naming the current version may be kept for good; the page uses those.
		if r.URL.Query().Get("v") == f.version {
			w.Header().Set("Cache-Control", immutable)
		} else {
			w.Header().Set("Cache-Control", revalidate)
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
	default:
		http.NotFound(w, r)
	}
}

func (h *handler) serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", revalidate)
	if h.page == nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		if r.Method != http.MethodHead {
			io.WriteString(w, notBuiltPage)
		}
		return
	}
	w.Header().Set("Content-Security-Policy", h.csp)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(h.page))
}
