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

// TestKeyring_Derive: a derived key is the same for the same key and purpose (every server of
// an installation), and differs for another purpose, for another key, and from the key itself.
func TestKeyring_Derive(t *testing.T) {
	one, err := newKeyring(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := newKeyring(bytes.Repeat([]byte{1}, 32))
	other, _ := newKeyring(bytes.Repeat([]byte{2}, 32))
	k := one.derive("read-your-writes cookie")
	if len(k) != 32 || !bytes.Equal(k, again.derive("read-your-writes cookie")) {
		t.Errorf("derive gave %x and %x for the same key and purpose, want one 32-byte key", k, again.derive("read-your-writes cookie"))
	}
	for name, d := range map[string][]byte{"another purpose": one.derive("another"), "another key": other.derive("read-your-writes cookie"), "the key": one.root} {
		if bytes.Equal(k, d) {
			t.Errorf("the derived key equals %s's", name)
		}
	}
}
