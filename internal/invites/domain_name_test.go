package invites

import "testing"

// TestFreeMailDomains: free-mail providers' domains, and subdomains of them, are refused as a
// project's domain with FREE_EMAIL_DOMAIN (from AfterShip's list and the few it lacks); a
// company's domain is not. Each name in freeMailMissing must still be missing from the
// package's list: once it is there, the supplement drops it.
func TestFreeMailDomains(t *testing.T) {
	for _, d := range []string{"gmail.com", "outlook.com", "yahoo.co.jp", "gmx.de", "web.de", "yandex.ru", "qq.com", "proton.me", "mail.yahoo.co.jp", "GMAIL.com"} {
		if _, err := normalizeProjectDomain("domain", d); ErrorCode(err) != FreeEmailDomain {
			t.Errorf("%s: %v, want FREE_EMAIL_DOMAIN", d, err)
		}
	}
	for _, d := range []string{"acme-widgets.com", "example.de", "school.edu"} {
		if got, err := normalizeProjectDomain("domain", d); err != nil || got != d {
			t.Errorf("%s: %q, %v; want it accepted", d, got, err)
		}
	}
	for d := range freeMailMissing {
		if freeMail.IsFreeDomain(d) {
			t.Errorf("the package lists %s now: drop it from freeMailMissing", d)
		}
	}
}
