package invites_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
)

// wantEmailsIn checks that the emails of kind queued to recipient, one at least, all belong
// to project (their emails rows' project_id): the project an email is about, the service
// project for an account's own emails and those over several projects (docs/scaling.md).
func wantEmailsIn(t *testing.T, kind, recipient string, project uuid.UUID) {
	t.Helper()
	var got []uuid.UUID
	err := pgDB(t).NewRaw(`SELECT project_id FROM emails WHERE kind = ? AND recipient = ? ORDER BY created_at, id`,
		kind, recipient).Scan(context.Background(), &got)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 {
		t.Fatalf("no %s email to %s", kind, recipient)
	}
	for _, id := range got {
		if id != project {
			t.Errorf("a %s email to %s belongs to project %s, want %s", kind, recipient, id, project)
		}
	}
}
