package invites

import (
	"context"
	"database/sql"
	"errors"
	"net/netip"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Session is a signed-in user and the bearer token that identifies the session.
type Session struct {
	Token string
	User  *User
}

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions"`

	TokenHash []byte    `bun:"token_hash,pk"`
	UserID    uuid.UUID `bun:"user_id,type:uuid"`
	CreatedAt time.Time `bun:"created_at"`
	ExpiresAt time.Time `bun:"expires_at"`
}

type loginFailure struct {
	bun.BaseModel `bun:"table:login_failures"`

	Email    string    `bun:"email"`
	Client   string    `bun:"client"`
	FailedAt time.Time `bun:"failed_at"`
}

// startSession runs prepare and starts user's session, in one transaction.
func (s *core) startSession(ctx context.Context, user *User, prepare func(ctx context.Context, tx bun.Tx) error) (*Session, error) {
	var sess *Session
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := prepare(ctx, tx); err != nil {
			return err
		}
		var err error
		sess, err = s.createSession(ctx, tx, user)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// createSession starts user's session in tx, ending their oldest beyond SessionLimit.
func (s *core) createSession(ctx context.Context, tx bun.Tx, user *User) (*Session, error) {
	token, hash := newToken()
	now := s.now()
	row := &sessionRow{TokenHash: hash, UserID: user.ID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
		return nil, err
	}
	if err := s.trimSessions(ctx, tx, user.ID); err != nil {
		return nil, err
	}
	return &Session{Token: token, User: user}, nil
}

// LogIn checks an email and password from a client address and starts a session. The
// password hash (tens of milliseconds) is checked outside any transaction or lock.
//
// Errors: INVALID_CREDENTIALS alike for an unknown email and a wrong password; RATE_LIMITED
// for a client with too many failures, or one that keeps failing for an email that many have
// failed for (startLogIn has the rules), counted in the database for every replica.
func (s *AccountService) LogIn(ctx context.Context, client netip.Addr, rawEmail, password string) (*Session, error) {
	badCredentials := Errorf(InvalidCredentials, "wrong email or password")
	email, err := NormalizeEmail("email", rawEmail)
	if err != nil {
		return nil, badCredentials
	}
	attempt, err := s.startLogIn(ctx, client, email)
	if err != nil {
		return nil, err
	}
	user := new(User)
	err = s.db.NewSelect().Model(user).Where("email = ?", email).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		user = nil
	case err != nil:
		return nil, err
	}
	ok, err := s.passwordMatches(user, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		// The attempt stays counted as a failure.
		return nil, badCredentials
	}
	return s.startSession(ctx, user, attempt.succeeded)
}

func (s *AccountService) passwordMatches(user *User, password string) (bool, error) {
	if user == nil {
		_, err := checkPassword(password, s.dummyHash)
		return false, err
	}
	return checkPassword(password, user.PasswordHash)
}

// LogOut ends the session whose bearer token is given. Ending one that has ended already is
// not an error: the outcome the caller wants holds.
func (s *AccountService) LogOut(ctx context.Context, token string) error {
	_, err := s.db.NewDelete().Model((*sessionRow)(nil)).Where("token_hash = ?", hashToken(token)).Exec(ctx)
	return err
}

// sessionUserSQL reads a session's user. It runs on every signed-in request, so it takes
// bind parameters, not the values that bun writes into a statement's text: with one text,
// pgx prepares it once per connection and PostgreSQL plans it once, where a new text (the
// time alone changes at every call) costs a prepare, a plan and a round trip more each time.
const sessionUserSQL = `SELECT u.id, u.email, u.name, u.password_hash, u.email_verified_at, u.created_at
FROM users AS u JOIN sessions AS s ON s.user_id = u.id
WHERE s.token_hash = $1 AND s.expires_at > $2`

// Authenticate returns the user of an unexpired session.
//
// Errors: UNAUTHENTICATED for an unknown, ended or expired token.
func (s *AccountService) Authenticate(ctx context.Context, token string) (*User, error) {
	if token == "" {
		return nil, Errorf(Unauthenticated, "sign in first")
	}
	user := new(User)
	err := s.db.DB.QueryRowContext(ctx, sessionUserSQL, hashToken(token), s.now()).
		Scan(&user.ID, &user.Email, &user.Name, &user.PasswordHash, &user.EmailVerifiedAt, &user.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(Unauthenticated, "the session is unknown or has expired; sign in again")
	}
	if err != nil {
		return nil, err
	}
	return user, nil
}
