package webhooks_test

import (
	"bytes"
	"testing"

	"github.com/invites/invites/internal/pgtest"
)

// TestService_DerivedKey: servers of one installation derive the same key (the read-your-writes
// cookie's), from WEBHOOK_SECRET_KEY or, without it, from the key stored in the database; the
// two give different keys.
func TestService_DerivedKey(t *testing.T) {
	db := pgtest.DB(t)
	e := newEnv(t, db, nil)
	const purpose = "read-your-writes cookie"
	configured := e.hooks.DerivedKey(purpose)
	if other := newServices(t, db, e.cfg, e.opts).Webhooks.DerivedKey(purpose); len(configured) != 32 || !bytes.Equal(configured, other) {
		t.Errorf("two servers with WEBHOOK_SECRET_KEY derive %x and %x, want one 32-byte key", configured, other)
	}
	unset := e.cfg
	unset.Webhooks.SecretKey = nil
	a := newServices(t, db, unset, e.opts).Webhooks.DerivedKey(purpose)
	b := newServices(t, db, unset, e.opts).Webhooks.DerivedKey(purpose)
	if len(a) != 32 || !bytes.Equal(a, b) || bytes.Equal(a, configured) {
		t.Errorf("two servers with the stored key derive %x and %x (configured: %x), want one key of their own", a, b, configured)
	}
}
