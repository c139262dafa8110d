package invites

import (
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// normalizeProjectDomain checks a domain a project would prove: a well-formed host name, in
// lower-case ASCII (IDNA), at least a registrable name (eTLD+1, so no public suffix such as
// co.uk or github.io), and no free-mail provider's (FREE_EMAIL_DOMAIN for both).
func normalizeProjectDomain(field, raw string) (string, error) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(raw)), ".")
	d = strings.TrimPrefix(d, "@")
	ascii, err := idna.Lookup.ToASCII(d)
	if err != nil || ascii == "" || !strings.Contains(ascii, ".") || len(ascii) > 253 {
		return "", invalid(field, "domain must be a domain name such as example.com")
	}
	etld1, err := publicsuffix.EffectiveTLDPlusOne(ascii)
	if err != nil {
		return "", Errorf(FreeEmailDomain, "%s is a public suffix: add a domain registered under it", ascii)
	}
	if isFreeMail(ascii) || isFreeMail(etld1) {
		return "", Errorf(FreeEmailDomain, "%s is a free-mail provider's domain: a project cannot prove it", ascii)
	}
	return ascii, nil
}

// emailDomain is the part of an email after its last @.
func emailDomain(email string) string {
	return strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
}
