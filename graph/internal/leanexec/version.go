package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/modfile"
)

// gqlgenVersion is the gqlgen release whose generated code the rewrites were written for and
// measured against. Another release may generate other code, or do itself what a rewrite
// does: leanexec refuses to run until someone has checked.
const gqlgenVersion = "v0.17.98"

const gqlgenModule = "github.com/99designs/gqlgen"

// checkVersion fails unless the go.mod at path requires gqlgen at version want, unreplaced.
func checkVersion(path, want string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	mod, err := modfile.Parse(path, data, nil)
	if err != nil {
		return err
	}
	for _, r := range mod.Replace {
		if r.Old.Path == gqlgenModule {
			return fmt.Errorf("%s replaces %s: leanexec's rewrites were written for the generated code of gqlgen %s, and cannot tell what a replacement generates", path, gqlgenModule, want)
		}
	}
	for _, r := range mod.Require {
		if r.Mod.Path != gqlgenModule {
			continue
		}
		if r.Mod.Version != want {
			return fmt.Errorf("the rewrites were written for the code that gqlgen %s generates, but %s requires gqlgen %s: "+
				"check each rewrite listed in graph/internal/leanexec/main.go against what %[3]s generates and drop those that %[3]s does itself "+
				"(docs/gqlgen-upstream.md names the upstream change each one waits for), "+
				"then set gqlgenVersion in graph/internal/leanexec/version.go to %[3]s, run go test ./graph/internal/leanexec -update and read the goldens' diff",
				want, path, r.Mod.Version)
		}
		return nil
	}
	return fmt.Errorf("%s does not require %s", path, gqlgenModule)
}

// findGoMod is the go.mod of the module that holds dir.
func findGoMod(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		path := filepath.Join(dir, "go.mod")
		if _, err := os.Stat(path); err == nil {
			return path, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above " + dir)
		}
		dir = parent
	}
}
