package mail

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
	gomail "github.com/wneessen/go-mail"
)

// EmailIDHeader is the header that carries each email's ID (the emails row's), so that what a
// provider or a returned message says about the email can be joined to it; EmailIDTag is that
// ID's name in the providers' own metadata, which they echo in their events where they echo no
// header: Postmark's Metadata, SendGrid's custom arguments, Mailgun's user variables.
const (
	EmailIDHeader = "X-Invites-Email-ID"
	EmailIDTag    = "invites_email_id"
)

// SMTPOption changes what NewSMTPSender's sender does.
type SMTPOption func(*smtpSender)

// BounceDomain makes each email's envelope sender (SMTP MAIL FROM, where returned mail goes)
// its VERP address at domain, bounces+<email id>@domain; empty: the From address, as before.
func BounceDomain(domain string) SMTPOption {
	return func(s *smtpSender) { s.bounceDomain = domain }
}

// VERPAddress is the envelope sender of the email id at domain: bounces+<id>@domain.
func VERPAddress(id uuid.UUID, domain string) string {
	return "bounces+" + id.String() + "@" + domain
}

// ParseVERP is the email ID of a VERP address at domain, and whether addr is one.
func ParseVERP(addr, domain string) (uuid.UUID, bool) {
	local, at, ok := strings.Cut(addr, "@")
	if !ok || !strings.EqualFold(at, domain) {
		return uuid.Nil, false
	}
	rest, ok := strings.CutPrefix(strings.ToLower(local), "bounces+")
	if !ok {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(rest)
	return id, err == nil && len(rest) == 36
}

// track marks msg with the email's ID: our header, and each provider's way of carrying
// metadata through SMTP (each provider takes its own off and leaves the others', which no
// one reads), plus the VERP envelope sender with a bounce domain.
func (s *smtpSender) track(msg *gomail.Msg, id uuid.UUID) error {
	v := id.String()
	msg.SetGenHeader(EmailIDHeader, v)
	msg.SetGenHeader("X-PM-Metadata-"+EmailIDTag, v)                                     // Postmark
	msg.SetGenHeader("X-SMTPAPI", fmt.Sprintf(`{"unique_args":{%q:%q}}`, EmailIDTag, v)) // SendGrid
	msg.SetGenHeader("X-Mailgun-Variables", fmt.Sprintf(`{%q:%q}`, EmailIDTag, v))       // Mailgun
	if s.bounceDomain != "" {
		if err := msg.EnvelopeFrom(VERPAddress(id, s.bounceDomain)); err != nil {
			return fmt.Errorf("envelope sender: %w", err)
		}
	}
	return nil
}
