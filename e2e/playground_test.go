package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestServer_Playground opens the playground at /playground in headless Chromium, as a user would: it
// puts a token in GraphiQL's Headers tab, runs a query that needs it, and reads the answer in
// the result pane. Every request the page makes must stay on this machine: the playground's
// scripts and styles are embedded in the server, not fetched from a CDN.
func TestServer_Playground(t *testing.T) {
	browser := findChromium(t)
	base := startServer(t, map[string]string{})
	if code, body := httpGet(t, base+"/playground"); code != http.StatusOK {
		t.Fatalf("GET /playground = %d: %s", code, body) // says how to build the assets when they are missing
	}
	c := e2eClient{t, base}
	email := e2eEmail("playground")
	token := c.signUp(map[string]any{"email": email, "password": "correct horse", "name": "Pat Playground"}).SignUp.Token

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(browser),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox, // as root, Chromium refuses to start with its sandbox
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// This machine's network is closed but for loopback: keep Chromium from phoning home.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), // containers have a small /dev/shm
		chromedp.UserDataDir(chromiumProfile(t)),
		chromedp.WindowSize(1280, 900),
	)
	defer cancelAlloc() // waits for Chromium to exit
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	defer cancelBrowser()

	page := &pageEvents{}
	chromedp.ListenTarget(browserCtx, page.record)

	steps, cancelSteps := context.WithTimeout(browserCtx, 45*time.Second)
	defer cancelSteps()
	const (
		queryEditor   = `.graphiql-query-editor .CodeMirror`
		headersTab    = `.graphiql-editor-tools button[data-name="headers"]`
		headersEditor = `.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden) .CodeMirror`
		// With several operations in the editor the button opens a menu to pick one; it runs
		// the query when there is one operation, once GraphiQL has parsed it.
		executeButton = `.graphiql-execute-button:not([aria-haspopup])`
	)
	want := fmt.Sprintf(`"email": %q`, email)
	var result string
	err := chromedp.Run(steps,
		network.Enable(),
		runtime.Enable(),
		cdplog.Enable(),
		chromedp.Navigate(base+"/playground"),
		chromedp.WaitVisible(queryEditor, chromedp.ByQuery),
		chromedp.Click(headersTab, chromedp.ByQuery),
		chromedp.WaitVisible(headersEditor, chromedp.ByQuery),
		setEditor(headersEditor, fmt.Sprintf(`{"Authorization": "Bearer %s"}`, token)),
		setEditor(queryEditor, `query Me { me { email } }`),
		chromedp.WaitVisible(executeButton, chromedp.ByQuery),
		chromedp.Click(executeButton, chromedp.ByQuery),
		chromedp.Poll(`(() => {
			const el = document.querySelector('.graphiql-response .CodeMirror');
			const text = el ? el.CodeMirror.getValue() : '';
			return text.includes(`+jsString(want)+`) ? text : null;
		})()`, &result, chromedp.WithPollingTimeout(20*time.Second)),
	)
	if err != nil {
		t.Errorf("driving the playground: %v", err)
		dumpPage(t, browserCtx, page)
		return
	}
	t.Logf("result pane: %s", strings.Join(strings.Fields(result), " "))

	for _, u := range page.requests() {
		if !loopback(u) {
			t.Errorf("the page requested %s: everything should come from this server", u)
		}
	}
	if errs := page.problems(); len(errs) > 0 {
		t.Errorf("the page reported errors: %s", strings.Join(errs, "\n"))
	}
	if t.Failed() {
		dumpPage(t, browserCtx, page)
	}
}

// findChromium returns Debian's Chromium. Without it the test is skipped, except in CI, whose
// script installs it.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "chromium"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("chromium is not installed (apt-get install chromium); the playground is not tested in a browser")
	return ""
}

// chromiumProfile returns a new, empty user-data-dir, removed when the test ends. Not
// t.TempDir: Chromium's helper processes may still write to it just after the browser exits,
// and t.TempDir fails the test when it cannot remove it at once.
func chromiumProfile(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "playground-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 50 {
			if err = os.RemoveAll(dir); err == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("Chromium's profile %s is left behind: %v", dir, err)
	})
	return dir
}

// setEditor replaces the text of the CodeMirror editor at selector, as typing it would, so
// that GraphiQL's change handlers see it; keystrokes would meet auto-closed brackets and
// completion pop-ups.
func setEditor(selector, text string) chromedp.Action {
	return chromedp.Evaluate(fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		if (!el || !el.CodeMirror) throw new Error('no editor at ' + %[1]s);
		el.CodeMirror.setValue(%s);
	})()`, jsString(selector), jsString(text)), nil)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// loopback reports whether a request's URL stays on this machine (data: and blob: URLs never
// leave the page).
func loopback(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "data", "blob":
		return true
	case "http", "https", "ws", "wss":
		if u.Hostname() == "localhost" {
			return true
		}
		ip := net.ParseIP(u.Hostname())
		return ip != nil && ip.IsLoopback()
	}
	return false
}

// pageEvents collects, from Chromium's events, the URLs the page requested and the errors it
// reported: uncaught exceptions, console errors, and the browser's own errors, such as a
// request refused by the Content-Security-Policy or a failed load.
type pageEvents struct {
	mu   sync.Mutex
	urls []string
	errs []string
}

func (p *pageEvents) record(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if !strings.HasPrefix(ev.Request.URL, "data:") { // the fonts inlined in graphiql.css
			p.urls = append(p.urls, ev.Request.URL)
		}
	case *runtime.EventExceptionThrown:
		msg := ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			msg += " " + ev.ExceptionDetails.Exception.Description
		}
		p.errs = append(p.errs, "exception: "+msg)
	case *cdplog.EventEntryAdded: // the browser's own messages, such as a refused request
		if ev.Entry.Level == cdplog.LevelError {
			p.errs = append(p.errs, fmt.Sprintf("%s: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.APITypeError {
			var args []string
			for _, a := range ev.Args {
				args = append(args, strings.Trim(string(a.Value), `"`)+a.Description)
			}
			p.errs = append(p.errs, "console.error: "+strings.Join(args, " "))
		}
	}
}

func (p *pageEvents) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.urls...)
}

func (p *pageEvents) problems() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errs...)
}

// dumpPage logs what the page requested and reported, and saves a screenshot. It goes to
// os.TempDir, not t.TempDir, which is removed when the test ends, screenshot included.
func dumpPage(t *testing.T, browserCtx context.Context, page *pageEvents) {
	t.Helper()
	t.Logf("requests: %s", strings.Join(page.requests(), "\n"))
	t.Logf("errors: %s", strings.Join(page.problems(), "\n"))
	ctx, cancel := context.WithTimeout(browserCtx, 5*time.Second)
	defer cancel()
	var png []byte
	var text string
	if err := chromedp.Run(ctx,
		chromedp.Evaluate(`document.body ? document.body.innerText.slice(0, 2000) : ''`, &text),
		chromedp.FullScreenshot(&png, 100),
	); err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	t.Logf("page text: %s", text)
	f, err := os.CreateTemp("", "playground-*.png")
	if err == nil {
		_, err = f.Write(png)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", f.Name())
}
