package config_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"slices"
	"testing"

	"github.com/invites/invites/internal/config"
)

// TestLoad_EmailHooks: the providers' settings are read, and a key or secret that could
// never verify anything stops the server at start-up.
func TestLoad_EmailHooks(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	env := map[string]string{
		"SENDGRID_WEBHOOK_PUBLIC_KEY": base64.StdEncoding.EncodeToString(der),
		"RESEND_WEBHOOK_SECRET":       "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		"SES_SNS_TOPIC_ARNS":          "arn:aws:sns:us-east-1:123456789012:ses, arn:aws:sns:eu-west-1:123456789012:ses",
		"BOUNCE_DOMAIN":               "bounces.example.com",
	}
	c, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	wantARNs := []string{"arn:aws:sns:us-east-1:123456789012:ses", "arn:aws:sns:eu-west-1:123456789012:ses"}
	if !slices.Equal(c.EmailHooks.SESTopicARNs, wantARNs) || c.EmailHooks.BounceDomain != "bounces.example.com" {
		t.Errorf("got %+v", c.EmailHooks)
	}
	for name, bad := range map[string]string{
		"SENDGRID_WEBHOOK_PUBLIC_KEY": base64.StdEncoding.EncodeToString([]byte("not a key")),
		"RESEND_WEBHOOK_SECRET":       "whsec_not base64!",
		"SES_SNS_TOPIC_ARNS":          "ses-events",
	} {
		if _, err := config.Load(func(k string) string {
			if k == name {
				return bad
			}
			return ""
		}); err == nil {
			t.Errorf("%s=%s: no error", name, bad)
		}
	}
}
