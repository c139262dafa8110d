package config

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
)

// EmailHooks is what the mail providers' event endpoints (POST /hooks/email/<provider>,
// internal/delivery/providers) and the returned-mail listener (internal/delivery/bounces)
// need. A provider whose settings are empty is off: its endpoint answers 404.
type EmailHooks struct {
	// PostmarkUser and PostmarkPassword are the Basic auth credentials put in the webhook's
	// URL in Postmark (https://user:password@host/hooks/email/postmark); both must be set.
	// POSTMARK_WEBHOOK_USER, POSTMARK_WEBHOOK_PASSWORD.
	PostmarkUser, PostmarkPassword string
	// SendGridPublicKey is the Event Webhook's verification key as SendGrid shows it (the
	// base64 of an ECDSA public key in DER); checked at start-up. SENDGRID_WEBHOOK_PUBLIC_KEY.
	SendGridPublicKey string
	// MailgunSigningKey is Mailgun's HTTP webhook signing key. MAILGUN_WEBHOOK_SIGNING_KEY.
	MailgunSigningKey string
	// ResendSecret is the webhook's signing secret as Resend shows it, whsec_ and base64.
	// RESEND_WEBHOOK_SECRET.
	ResendSecret string
	// SESTopicARNs are the Amazon SNS topics whose notifications (SES's bounces, complaints
	// and deliveries) are accepted; empty: the SES endpoint is off. SES_SNS_TOPIC_ARNS
	// (comma-separated).
	SESTopicARNs []string
	// BounceDomain, when set, makes each email's envelope sender bounces+<email id>@ it (VERP),
	// so that returned mail names the email. BOUNCE_DOMAIN.
	BounceDomain string
	// BounceSMTPAddr, when set, is where the server listens for that returned mail over SMTP
	// (the MX of BounceDomain points there, e.g. :25). BOUNCE_SMTP_ADDR.
	BounceSMTPAddr string
}

// ParseSendGridKey reads SendGrid's verification key: the base64 of a DER (PKIX) ECDSA key.
func ParseSendGridKey(v string) (*ecdsa.PublicKey, error) {
	der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
	if err != nil {
		return nil, errors.New("not base64 (paste the verification key SendGrid shows)")
	}
	key, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, errors.New("not a DER public key (paste the verification key SendGrid shows)")
	}
	ecKey, ok := key.(*ecdsa.PublicKey)
	if !ok {
		return nil, errors.New("not an ECDSA public key")
	}
	return ecKey, nil
}

// ParseResendSecret reads a Standard Webhooks secret: whsec_ then the key's base64.
func ParseResendSecret(v string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(v, "whsec_"))
	if err != nil || len(key) == 0 {
		return nil, errors.New("not whsec_ and base64 (paste the signing secret Resend shows)")
	}
	return key, nil
}

// emailHookSettings are EmailHooks' environment variables, in docs/configuration.md's order.
var emailHookSettings = []setting{
	text("POSTMARK_WEBHOOK_USER", func(c *Config) *string { return &c.EmailHooks.PostmarkUser }),
	text("POSTMARK_WEBHOOK_PASSWORD", func(c *Config) *string { return &c.EmailHooks.PostmarkPassword }),
	{"SENDGRID_WEBHOOK_PUBLIC_KEY", func(c *Config, v string) error {
		_, err := ParseSendGridKey(v)
		c.EmailHooks.SendGridPublicKey = v
		return err
	}},
	text("MAILGUN_WEBHOOK_SIGNING_KEY", func(c *Config) *string { return &c.EmailHooks.MailgunSigningKey }),
	{"RESEND_WEBHOOK_SECRET", func(c *Config, v string) error {
		_, err := ParseResendSecret(v)
		c.EmailHooks.ResendSecret = v
		return err
	}},
	{"SES_SNS_TOPIC_ARNS", func(c *Config, v string) error {
		for _, arn := range strings.Split(v, ",") {
			if arn = strings.TrimSpace(arn); arn != "" {
				if !strings.HasPrefix(arn, "arn:") {
					return errors.New("not topic ARNs such as arn:aws:sns:us-east-1:123456789012:ses-events")
				}
				c.EmailHooks.SESTopicARNs = append(c.EmailHooks.SESTopicARNs, arn)
			}
		}
		return nil
	}},
	text("BOUNCE_DOMAIN", func(c *Config) *string { return &c.EmailHooks.BounceDomain }),
	text("BOUNCE_SMTP_ADDR", func(c *Config) *string { return &c.EmailHooks.BounceSMTPAddr }),
}
