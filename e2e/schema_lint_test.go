package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestSchema_Lint runs graphql-eslint's recommended schema rules and its Relay rules
// (schemalint/eslint.config.mjs, npm packages pinned in schemalint/package-lock.json) over the
// server's schema, schema.graphqls and graph/schema/*.graphqls: any problem fails the test, as
// does one of those rules turned off. The config gives three rules options, each with its
// reason: description-style (the project's one-line descriptions), strict-id-in-types (the
// contract's types without an identity of their own) and relay-edge-types (the contract's
// bounded plain lists). It needs node and npm; without them it is skipped, unless CI=true.
func TestSchema_Lint(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	installNodeTool(ctx, t, "the schema lint", "schemalint")
	areas, err := filepath.Glob("../graph/schema/*.graphqls")
	if err != nil || len(areas) == 0 {
		t.Fatalf("no area schema files in graph/schema/ (%v)", err)
	}

	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "node", "schemalint/lint.mjs", "..")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node schemalint/lint.mjs: %v\n%s", err, stderr.Bytes())
	}
	var summary struct{ Files, Rules int }
	lines := bufio.NewScanner(bytes.NewReader(out))
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		var p struct {
			File, Rule, Message string
			Line, Column        int
			Files, Rules        int
		}
		if err := json.Unmarshal(lines.Bytes(), &p); err != nil {
			t.Fatalf("lint output %q: %v", lines.Text(), err)
		}
		if p.Files > 0 {
			summary.Files, summary.Rules = p.Files, p.Rules
			continue
		}
		t.Errorf("%s:%d:%d: %s (%s)", p.File, p.Line, p.Column, p.Message, p.Rule)
	}
	// Every schema file linted, by the 20 recommended and 4 Relay rules of graphql-eslint 4.4.1.
	if want := 1 + len(areas); summary.Files != want {
		t.Errorf("%d schema files linted, want %d (schema.graphqls and graph/schema/*.graphqls)", summary.Files, want)
	}
	if summary.Rules < 24 {
		t.Errorf("%d rules checked, want the 24 of flat/schema-recommended and flat/schema-relay", summary.Rules)
	}
	t.Logf("schema lint: %d files, %d rules", summary.Files, summary.Rules)
}
