package webhooks

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

const secretPrefix = "whsec_"

// newSecret is a signing secret: "whsec_" and the base64 of 32 random bytes.
func newSecret() string {
	key := make([]byte, 32)
	rand.Read(key)
	return secretPrefix + base64.StdEncoding.EncodeToString(key)
}

// keyring encrypts endpoints' signing secrets at rest with AES-256-GCM. HMAC signing needs
// the secret itself, so it cannot be hashed like a session token; encrypted under a key that
// lives outside the database (WEBHOOK_SECRET_KEY), a dump of the database alone does not give
// the secrets. Each ciphertext is bound to its endpoint's id (the additional data), so one
// endpoint's secret cannot be copied onto another's row.
type keyring struct {
	aead cipher.AEAD
	root []byte // the key itself, for derive
}

func newKeyring(key []byte) (*keyring, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("webhooks: the secret key has %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &keyring{aead, key}, nil
}

// derive is a key for another use than the secrets' (HMAC-SHA256 of purpose under the key):
// the same on every server of the installation, and telling nothing of the key itself.
func (k *keyring) derive(purpose string) []byte {
	m := hmac.New(sha256.New, k.root)
	m.Write([]byte("invites: " + purpose))
	return m.Sum(nil)
}

func (k *keyring) seal(endpoint uuid.UUID, secret string) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	rand.Read(nonce)
	return k.aead.Seal(nonce, nonce, []byte(secret), endpoint[:])
}

func (k *keyring) open(endpoint uuid.UUID, sealed []byte) (string, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("webhooks: sealed secret too short")
	}
	plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], endpoint[:])
	if err != nil {
		return "", fmt.Errorf("webhooks: the endpoint's secret does not open with this key (was WEBHOOK_SECRET_KEY changed?): %w", err)
	}
	return string(plain), nil
}

// storedKey is the key used when WEBHOOK_SECRET_KEY is unset: made once per installation and
// kept in the database, so that every replica signs with the same secrets and a first run
// needs no setting. Secrets then stay out of plain sight but are readable from a full dump;
// docs/configuration.md says to set WEBHOOK_SECRET_KEY in production.
func storedKey(ctx context.Context, db *bun.DB) ([]byte, error) {
	fresh := make([]byte, 32)
	rand.Read(fresh)
	// Two statements: when another replica inserts the key at the same moment, the INSERT waits
	// for it and does nothing, and a SELECT in the same statement would still not see its row
	// (one snapshot per statement); the second statement's snapshot does.
	if _, err := db.NewRaw(`INSERT INTO webhook_settings (id, secret_key) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`, fresh).Exec(ctx); err != nil {
		return nil, fmt.Errorf("webhooks: store a key: %w", err)
	}
	var key []byte
	if err := db.NewRaw(`SELECT secret_key FROM webhook_settings WHERE id = 1`).Scan(ctx, &key); err != nil {
		return nil, fmt.Errorf("webhooks: stored key: %w", err)
	}
	return key, nil
}
