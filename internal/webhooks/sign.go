package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
)

// signingKey is the HMAC key of a secret ("whsec_" + base64 key).
func signingKey(secret string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
}

// signature is the Standard Webhooks signature of body, sent as message id at unix time ts
// with the secret's key (signingKey): "v1," + base64(HMAC-SHA256(key, id.ts.body)).
func signature(key []byte, id string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, key)
	var prefix [64]byte
	b := append(prefix[:0], id...)
	b = append(b, '.')
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, '.')
	mac.Write(b)
	mac.Write(body)
	var sum [sha256.Size]byte
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(sum[:0]))
}
