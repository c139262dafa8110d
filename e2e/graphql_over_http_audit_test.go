package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"testing"
	"time"
)

// TestServer_GraphQLOverHTTPAudit runs graphql-http's audit (auditServer, npm graphql-http
// as pinned in httpaudit/package-lock.json) against the real server: every audit, MUST,
// SHOULD and MAY alike, must pass. It needs node and npm; without them it is skipped, unless
// CI=true.
func TestServer_GraphQLOverHTTPAudit(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	installNodeTool(ctx, t, "the GraphQL-over-HTTP audit", "httpaudit")

	base := startServer(t, map[string]string{})
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "node", "httpaudit/audit.mjs", base+"/graphql")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node httpaudit/audit.mjs: %v\n%s", err, stderr.Bytes())
	}

	counts := map[string]int{}
	lines := bufio.NewScanner(bytes.NewReader(out))
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		var r struct {
			ID, Name, Status, Reason string
			HTTPStatus               int `json:"httpStatus"`
			Body                     string
		}
		if err := json.Unmarshal(lines.Bytes(), &r); err != nil {
			t.Fatalf("audit output %q: %v", lines.Text(), err)
		}
		counts[r.Status]++
		if r.Status != "ok" {
			t.Errorf("%s %s: %s: %s (HTTP %d %.300s)", r.Status, r.ID, r.Name, r.Reason, r.HTTPStatus, r.Body)
		}
	}
	// graphql-http 1.23.1 has 61 server audits; fewer means the script did not run them all.
	if total := counts["ok"] + counts["warn"] + counts["notice"] + counts["error"]; total < 61 {
		t.Errorf("%d audits ran (%v), want the 61 of graphql-http 1.23.1", total, counts)
	}
	t.Logf("GraphQL-over-HTTP audit: %v", counts)
}
