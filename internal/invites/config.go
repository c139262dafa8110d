package invites

import "time"

// Config holds the service's settings. Zero values take the defaults noted.
type Config struct {
	// AppURL is the front end's address; email links are AppURL + "/verify-email/" + token
	// and AppURL + "/invite/" + token.
	AppURL string
	// SessionTTL is how long a session lasts: 30 days.
	SessionTTL time.Duration
	// VerificationTTL is how long an email verification link works: 7 days.
	VerificationTTL time.Duration
	// LoginFailureLimit failed log-ins for one email within LoginFailureWindow slow the email
	// down: a client that has failed for it k times then waits 2^(k-1) seconds between
	// attempts. Clients that have not failed for it are never held back: 10 in 15 minutes.
	LoginFailureLimit  int
	LoginFailureWindow time.Duration
	// LoginClientFailureLimit failed log-ins from one client address (for any emails) within
	// LoginFailureWindow make its further attempts RATE_LIMITED until the oldest falls out of
	// the window: 20. Negative: no limit.
	LoginClientFailureLimit int
	// SignUpClientLimit caps the sign-ups from one client address per clock hour: 20.
	// Negative: no cap.
	SignUpClientLimit int
	// InviteRecipientDailyLimit caps the invite emails (new and resent) one address may get
	// per UTC day from everyone together: 10. Negative: no cap.
	InviteRecipientDailyLimit int
	// InviteTTL is how long an invite can be claimed: 7 days.
	InviteTTL time.Duration
	// InviteRetention is how long expired, declined and revoked invites are kept before the
	// sweep deletes them: 30 days.
	InviteRetention time.Duration
	// InviteRateLimit caps the invite emails (new and resent) one inviter may send per clock
	// hour, across all replicas: 10,000, so that one full spreadsheet fits. Negative: no cap.
	InviteRateLimit int
	// Password is argon2id's cost: DefaultPasswordParams.
	Password PasswordParams
	// Now is the clock: time.Now. Tests move it to expire things without sleeping.
	Now func() time.Time
	// Observer hears of invites created and claimed, once their transaction has committed
	// (for metrics): none by default.
	Observer Observer
}

// Observer hears of what the service did, after the commit.
type Observer interface {
	InvitesCreated(n int)
	InvitesClaimed(n int)
}

type noObserver struct{}

func (noObserver) InvitesCreated(int) {}

func (noObserver) InvitesClaimed(int) {}

func (c Config) withDefaults() Config {
	if c.AppURL == "" {
		c.AppURL = "http://localhost:8080"
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = 30 * 24 * time.Hour
	}
	if c.VerificationTTL <= 0 {
		c.VerificationTTL = 7 * 24 * time.Hour
	}
	if c.LoginFailureLimit <= 0 {
		c.LoginFailureLimit = 10
	}
	if c.LoginFailureWindow <= 0 {
		c.LoginFailureWindow = 15 * time.Minute
	}
	if c.LoginClientFailureLimit == 0 {
		c.LoginClientFailureLimit = 20
	}
	if c.SignUpClientLimit == 0 {
		c.SignUpClientLimit = 20
	}
	if c.InviteRecipientDailyLimit == 0 {
		c.InviteRecipientDailyLimit = 10
	}
	if c.InviteTTL <= 0 {
		c.InviteTTL = 7 * 24 * time.Hour
	}
	if c.InviteRetention <= 0 {
		c.InviteRetention = 30 * 24 * time.Hour
	}
	if c.InviteRateLimit == 0 {
		c.InviteRateLimit = 10000
	}
	if c.Password == (PasswordParams{}) {
		c.Password = DefaultPasswordParams
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Observer == nil {
		c.Observer = noObserver{}
	}
	return c
}
