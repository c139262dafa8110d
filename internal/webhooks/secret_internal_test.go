package webhooks

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/invites/invites/internal/pgtest"
)

// TestStoredKey_ReplicasStartingTogether: servers that start at once on a database with no key
// yet all get the one key that is stored, none an error (one of them used to read no row).
func TestStoredKey_ReplicasStartingTogether(t *testing.T) {
	ctx := context.Background()
	db := pgtest.DB(t)
	before, err := storedKey(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // the package's other tests keep the key they sealed secrets with
		db.NewRaw(`UPDATE webhook_settings SET secret_key = ? WHERE id = 1`, before).Exec(ctx)
	})
	for round := range 20 {
		if _, err := db.NewRaw(`DELETE FROM webhook_settings`).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		const replicas = 6
		keys, errs := make([][]byte, replicas), make([]error, replicas)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range replicas {
			wg.Go(func() {
				<-start
				keys[i], errs[i] = storedKey(ctx, db)
			})
		}
		close(start)
		wg.Wait()
		for i := range replicas {
			if errs[i] != nil || !bytes.Equal(keys[i], keys[0]) || len(keys[i]) != 32 {
				t.Fatalf("round %d, replica %d: key %x, %v; want the one stored key %x", round, i, keys[i], errs[i], keys[0])
			}
		}
	}
}
