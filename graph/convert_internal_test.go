package graph

import (
	"strings"
	"testing"
)

// TestPagePaths_InSchema: every connection type of the schema has the fields that
// selectedPage looks for, so that renaming one cannot silently make a page skip its count.
func TestPagePaths_InSchema(t *testing.T) {
	connections := 0
	for name, def := range parsedSchema.Types {
		if !strings.HasSuffix(name, "Connection") || def.Fields.ForName("edges") == nil {
			continue
		}
		connections++
		for _, path := range [][]string{totalCountPath, hasPreviousPagePath, hasNextPagePath} {
			typ := def
			for i, field := range path {
				f := typ.Fields.ForName(field)
				if f == nil {
					t.Fatalf("%s has no %s", name, strings.Join(path[:i+1], "."))
				}
				typ = parsedSchema.Types[f.Type.Name()]
			}
		}
	}
	if connections != 7 {
		t.Errorf("%d connection types, want 7 (projects, members, invites, activity, invite links, webhook deliveries, join requests)", connections)
	}
}
