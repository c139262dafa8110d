package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckVersion_ThisModule: the module's go.mod requires the gqlgen that the rewrites were
// written for. It fails, with what to do, once go.mod moves to another release.
func TestCheckVersion_ThisModule(t *testing.T) {
	goMod, err := findGoMod(".")
	if err != nil {
		t.Fatal(err)
	}
	if err := checkVersion(goMod, gqlgenVersion); err != nil {
		t.Fatal(err)
	}
}

// TestRun_OtherVersion: leanexec refuses to rewrite when go.mod's gqlgen and gqlgenVersion
// differ, whichever of them changed, and names both versions and what to check.
func TestRun_OtherVersion(t *testing.T) {
	for _, c := range []struct {
		name        string
		required    string // gqlgen's version in go.mod
		writtenFor  string // gqlgenVersion
		wantMention []string
	}{
		{"go.mod moved", "v0.17.99", gqlgenVersion, []string{"gqlgen " + gqlgenVersion + " generates", "requires gqlgen v0.17.99"}},
		{"constant moved", gqlgenVersion, "v0.17.97", []string{"gqlgen v0.17.97 generates", "requires gqlgen " + gqlgenVersion}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			goMod := "module example.com/m\n\ngo 1.26\n\nrequire github.com/99designs/gqlgen " + c.required + "\n"
			if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(goMod), 0o644); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "graph", "generated.go")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, input(t), 0o644); err != nil {
				t.Fatal(err)
			}
			err := run(path, inputTypes, nil, c.writtenFor)
			if err == nil {
				t.Fatal("rewrote the file, want an error")
			}
			for _, want := range append(c.wantMention, "check each rewrite", "gqlgenVersion", "-update") {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if got, _ := os.ReadFile(path); string(got) != string(input(t)) {
				t.Error("the file was changed")
			}
		})
	}
}

// TestCheckVersion_Unknown: a go.mod without gqlgen, or with gqlgen replaced, is refused.
func TestCheckVersion_Unknown(t *testing.T) {
	for name, goMod := range map[string]string{
		"no gqlgen": "module example.com/m\n",
		"replaced": "module example.com/m\n\nrequire github.com/99designs/gqlgen " + gqlgenVersion +
			"\n\nreplace github.com/99designs/gqlgen => ../gqlgen\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "go.mod")
			if err := os.WriteFile(path, []byte(goMod), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := checkVersion(path, gqlgenVersion); err == nil {
				t.Errorf("%s accepted", name)
			}
		})
	}
}
