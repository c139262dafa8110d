package config

import "time"

// Domain is internal/invites' settings. For each cap, 0 means no cap, unless it says it is
// always a cap.
type Domain struct {
	// AppURL is the front end's address, without a trailing slash; email links are
	// AppURL + "/verify-email/" + token, AppURL + "/invite/" + token and AppURL +
	// "/reset-password/" + token. APP_URL.
	AppURL string
	// SessionTTL is how long a session lasts. SESSION_TTL.
	SessionTTL time.Duration
	// SessionLimit caps the sessions one account has at once: a log-in beyond it ends the
	// account's oldest session, so that logging in in a loop cannot fill the table. Always a
	// cap. SESSION_LIMIT.
	SessionLimit int
	// ProjectLimit caps the projects one account may own (create, or take over by a transfer
	// of ownership). Always a cap. PROJECT_LIMIT.
	ProjectLimit int
	// InviteLinkLimit caps the invite links one project holds: active ones and ended ones not
	// yet deleted (the sweep deletes a link InviteRetention after it ends). Always a cap.
	// INVITE_LINK_LIMIT.
	InviteLinkLimit int
	// VerificationTTL is how long an email verification link works (not read from the
	// environment).
	VerificationTTL time.Duration
	// LoginFailureLimit failed log-ins for one email within LoginFailureWindow slow the email
	// down: a client that has failed for it k times then waits 2^(k-1) seconds between
	// attempts. Clients that have not failed for it are never held back. Neither is read from
	// the environment.
	LoginFailureLimit  int
	LoginFailureWindow time.Duration
	// LoginClientFailureLimit failed log-ins from one client address (for any emails) within
	// LoginFailureWindow make its further attempts RATE_LIMITED until the oldest falls out of
	// the window; 0: no limit. LOGIN_CLIENT_FAILURE_LIMIT.
	LoginClientFailureLimit int
	// SignUpClientLimit caps the sign-ups without an invite token from one client address per
	// clock hour; 0: no cap. SIGNUP_CLIENT_LIMIT.
	SignUpClientLimit int
	// PasswordResetTTL is how long a password-reset link works (not read from the
	// environment).
	PasswordResetTTL time.Duration
	// PasswordResetEmailLimit caps the password-reset requests for one email per clock hour,
	// counted whether or not an account has the email, so that the answer tells nothing;
	// 0: no cap. PASSWORD_RESET_EMAIL_LIMIT.
	PasswordResetEmailLimit int
	// PasswordResetClientLimit caps the password-reset requests from one client address per
	// clock hour; 0: no cap. PASSWORD_RESET_CLIENT_LIMIT.
	PasswordResetClientLimit int
	// VerificationResendLimit caps the verification emails one account asks for again per
	// clock hour; 0: no cap. VERIFICATION_RESEND_LIMIT.
	VerificationResendLimit int
	// InviteRecipientDailyLimit caps the invite emails (new and resent) one address may get
	// per UTC day from everyone together; 0: no cap. INVITE_RECIPIENT_DAILY_LIMIT.
	InviteRecipientDailyLimit int
	// InviteTTL is how long an invite can be claimed. INVITE_TTL.
	InviteTTL time.Duration
	// InviteRetention is how long expired, declined and revoked invites are kept before the
	// sweep deletes them. INVITE_RETENTION.
	InviteRetention time.Duration
	// InviteRemindBefore is how long before its expiry a pending invite gets its one reminder
	// email (with a new link) from the sweep; 0: no reminders. INVITE_REMIND_BEFORE.
	InviteRemindBefore time.Duration
	// InviteRateLimit caps, per inviter and clock hour across all replicas, the invite emails
	// sent one at a time (createInvite, resendInvite) plus the distinct addresses new to a
	// project that the inviter's bulk invites look up, dry runs included, each once an hour
	// (10,000 by default, so that one full spreadsheet and its confirmation fit); 0: no
	// cap. INVITE_RATE_LIMIT (where a negative number, documented as -1 before, also means no
	// cap).
	InviteRateLimit int
	// BulkPreviewTTL is how long a bulk invite's preview (a dry run) can be confirmed with
	// confirmBulkInvite. BULK_PREVIEW_TTL.
	BulkPreviewTTL time.Duration
	// DNSResolver is the DNS server (host:port) asked for the TXT records that prove project
	// domains; empty: the system's first nameserver (/etc/resolv.conf). DNS_RESOLVER.
	DNSResolver string
}

// defaultDomain is Default's Domain.
func defaultDomain() Domain {
	return Domain{
		AppURL:                    "http://localhost:8080",
		SessionTTL:                30 * 24 * time.Hour,
		SessionLimit:              100,
		ProjectLimit:              1000,
		InviteLinkLimit:           1000,
		VerificationTTL:           7 * 24 * time.Hour,
		LoginFailureLimit:         10,
		LoginFailureWindow:        15 * time.Minute,
		LoginClientFailureLimit:   20,
		SignUpClientLimit:         20,
		InviteRecipientDailyLimit: 10,
		PasswordResetTTL:          time.Hour,
		PasswordResetEmailLimit:   5,
		PasswordResetClientLimit:  20,
		VerificationResendLimit:   5,
		InviteTTL:                 7 * 24 * time.Hour,
		InviteRetention:           30 * 24 * time.Hour,
		InviteRemindBefore:        24 * time.Hour,
		InviteRateLimit:           10000,
		BulkPreviewTTL:            time.Hour,
	}
}
