package e2e

import (
	"context"
	"os"
	"os/exec"
	"testing"
)

// installNodeTool readies one of e2e's npm folders (httpaudit, schemalint) for a test named
// what: without npm the test is skipped, or fails with CI=true; then the folder's install.sh
// runs (make test has run it already; this makes `go test` on a fresh clone work too).
func installNodeTool(ctx context.Context, t *testing.T, what, dir string) {
	t.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("npm is not installed; %s needs node and npm", what)
		}
		t.Skipf("npm is not installed; skipping %s", what)
	}
	if out, err := exec.CommandContext(ctx, "./"+dir+"/install.sh").CombinedOutput(); err != nil {
		t.Fatalf("%s/install.sh: %v\n%s", dir, err, out)
	}
}
