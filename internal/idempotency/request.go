package idempotency

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"strings"
)

// MaxKeyLength is the longest Idempotency-Key, in characters (bytes: a key is ASCII).
const MaxKeyLength = 255

// ParseKey reads the Idempotency-Key header's values: one key, written as the draft's
// sf-string ("8e03978e-...", in double quotes, with \" and \\ escaped) or, as most clients send
// it, bare. Either way it is 1 to MaxKeyLength visible ASCII characters (a quoted one may hold
// spaces too). The error says what is wrong, for the client.
func ParseKey(values []string) (string, error) {
	if len(values) != 1 {
		return "", errors.New("the request has more than one Idempotency-Key header: send one")
	}
	v := strings.TrimSpace(values[0])
	key, quoted := v, strings.HasPrefix(v, `"`)
	if quoted {
		var ok bool
		if key, ok = unquote(v); !ok {
			return "", errors.New(`the Idempotency-Key is not a well-formed quoted string: close its quotes, and escape " and \ inside with \`)
		}
	}
	if key == "" || len(key) > MaxKeyLength {
		return "", errors.New("the Idempotency-Key must have 1 to 255 characters (a UUID, say)")
	}
	for _, c := range []byte(key) {
		if c > '~' || c < '!' && !(quoted && c == ' ') {
			return "", errors.New("the Idempotency-Key may hold visible ASCII characters only (a UUID, say)")
		}
	}
	return key, nil
}

// unquote reads an sf-string (RFC 8941 §3.3.3): the whole of v between its double quotes, with
// \" and \\ its only escapes.
func unquote(v string) (string, bool) {
	if len(v) < 2 || v[len(v)-1] != '"' {
		return "", false
	}
	var b strings.Builder
	for i := 1; i < len(v)-1; i++ {
		c := v[i]
		switch {
		case c == '\\':
			i++
			if i == len(v)-1 || v[i] != '"' && v[i] != '\\' {
				return "", false
			}
			c = v[i]
		case c == '"':
			return "", false
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// Request is one request that carries an Idempotency-Key.
//
// The database keeps nothing usable without the request: the key and scope only as a hash,
// the body only as an HMAC under the key, and the answer sealed under a key made from the
// Idempotency-Key and the body. An answer holding a session token (signUp's, logIn's) thus
// stays out of reach of whoever reads a copy of the database, as sessions' own tokens do; this
// holds as well as the Idempotency-Key is hard to guess, which is why clients are told to use
// a random one (a UUID v4).
type Request struct {
	// Scope is who sent it: a key answers only its own caller (graph: the signed-in user, or
	// the client's address for an anonymous request).
	Scope string
	// Key is the Idempotency-Key, as ParseKey read it.
	Key string
	// Digest is the SHA-256 of the request's body as the caller defines it: what must be the
	// same for a retry to be the same request.
	Digest [32]byte
}

// id is the row's key: scope and key, each prefixed with its length, hashed.
func (q Request) id() []byte {
	h := sha256.New()
	for _, s := range []string{q.Scope, q.Key} {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(s))))
		h.Write([]byte(s))
	}
	return h.Sum(nil)
}

// derive is an HMAC of the body's digest under the key, for one purpose (label).
func (q Request) derive(label string) []byte {
	m := hmac.New(sha256.New, []byte(q.Key))
	m.Write([]byte(label))
	m.Write(q.id())
	m.Write(q.Digest[:])
	return m.Sum(nil)
}

// fingerprint is what the row keeps of the body: a retry's must be the same.
func (q Request) fingerprint() []byte { return q.derive("fingerprint") }

// seal encrypts an answer's body for the row (AES-256-GCM, the nonce first).
func (q Request) seal(body []byte) []byte {
	gcm := q.cipher()
	nonce := make([]byte, gcm.NonceSize(), gcm.NonceSize()+len(body)+gcm.Overhead())
	rand.Read(nonce) // never fails (crypto/rand panics rather than return short)
	return gcm.Seal(nonce, nonce, body, q.id())
}

// open decrypts what seal made for the same request.
func (q Request) open(sealed []byte) ([]byte, error) {
	gcm := q.cipher()
	if len(sealed) < gcm.NonceSize() {
		return nil, errors.New("idempotency: a stored answer is cut short")
	}
	body, err := gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], q.id())
	if err != nil {
		return nil, errors.New("idempotency: a stored answer does not open with its request's key")
	}
	return body, nil
}

func (q Request) cipher() cipher.AEAD {
	block, err := aes.NewCipher(q.derive("answer")) // 32 bytes: AES-256
	if err != nil {
		panic(err) // a 32-byte key never fails
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		panic(err) // AES's block size is GCM's
	}
	return gcm
}
