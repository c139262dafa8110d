package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/invites/invites/internal/mail/smtptest"
)

// subscribeMultipart opens one subscription as Apollo Client's HttpLink does (Apollo's
// multipart HTTP subscriptions) with token in the Authorization header, and reads its parts
// as that client does: a part is whole once the delimiter after it has arrived. A heartbeat
// (`{}`) is no message; the first one says the subscription is in place.
func subscribeMultipart(t *testing.T, base, token, query string, vars map[string]any) <-chan liveMsg {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", `multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json`)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, `multipart/mixed; boundary="graphql"`) {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("multipart: status %d, Content-Type %q: %s", resp.StatusCode, ct, b)
	}
	parts := make(chan string)
	go readMultipart(resp.Body, parts)
	if first := <-parts; first != "{}" {
		t.Fatalf("multipart: first part %q, want the heartbeat {}", first)
	}
	out := make(chan liveMsg, 1000)
	go func() {
		defer func() { out <- liveMsg{Kind: "closed"} }()
		for p := range parts {
			var m struct {
				Payload *struct {
					Data   json.RawMessage
					Errors e2eErrors
				}
				Errors e2eErrors
			}
			switch err := json.Unmarshal([]byte(p), &m); {
			case err != nil:
				out <- liveMsg{Kind: "error", Errors: e2eErrors{{Message: "not JSON: " + p}}}
			case p == "{}":
			case m.Payload == nil:
				out <- liveMsg{Kind: "error", Errors: m.Errors}
			default:
				out <- liveMsg{Kind: "next", Data: m.Payload.Data, Errors: m.Payload.Errors}
			}
		}
		out <- liveMsg{Kind: "complete"}
	}()
	return out
}

// readMultipart sends the JSON body of each part of a multipart/mixed body whose boundary is
// "graphql", and closes parts at the closing boundary (or the body's end).
func readMultipart(body io.Reader, parts chan<- string) {
	defer close(parts)
	const delimiter = "\r\n--graphql"
	var buf []byte
	chunk := make([]byte, 4096)
	for {
		for i := bytes.Index(buf, []byte(delimiter)); i >= 0; i = bytes.Index(buf, []byte(delimiter)) {
			if _, p, ok := strings.Cut(string(buf[:i]), "\r\n\r\n"); ok {
				parts <- p
			}
			buf = buf[i+len(delimiter):]
		}
		if bytes.HasPrefix(buf, []byte("--")) {
			return
		}
		n, err := body.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if err != nil && n == 0 {
			return
		}
	}
}

// TestLive_OverMultipartHTTP: through the real server, a subscription over Apollo's multipart
// HTTP protocol sees the invites created after it, each as it happens; a stranger's is
// refused in its first message; a subscription sent for one JSON answer is refused at once.
func TestLive_OverMultipartHTTP(t *testing.T) {
	smtp := smtptest.Start(t)
	base := startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example"})
	c := e2eClient{t, base}
	owner := c.signUpVerified(smtp, e2eEmail("owner"), "Olga Owner")
	stranger := c.signUpVerified(smtp, e2eEmail("stranger"), "Sam Stranger")
	project := c.createProject(owner, "Multipart")
	vars := map[string]any{"p": project}

	stream := subscribeMultipart(t, base, owner, liveInviteChanged, vars)
	for _, name := range []string{"first", "second"} {
		email := e2eEmail(name)
		c.createInvite(owner, map[string]any{"email": email, "projectId": project, "role": "CONTRIBUTOR"})
		nextInvite(t, "multipart "+name, stream, func(i liveInvite) bool { return i.Email == email })
	}
	refused(t, "multipart stranger", subscribeMultipart(t, base, stranger, liveInviteChanged, vars), "NOT_FOUND")

	errs, err := postJSON(base+"/graphql", owner, liveInviteChanged, vars, nil, nil)
	if err != nil || errs.code() != "BAD_USER_INPUT" || !strings.Contains(errs[0].Message, "multipart") {
		t.Errorf("a subscription over plain JSON: %v %v, want it refused at once, naming the transports", err, errs)
	}
}
