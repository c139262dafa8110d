package invites

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

type passwordReset struct {
	bun.BaseModel `bun:"table:password_resets"`

	TokenHash []byte    `bun:"token_hash,pk"`
	UserID    uuid.UUID `bun:"user_id,type:uuid"`
	CreatedAt time.Time `bun:"created_at"`
	ExpiresAt time.Time `bun:"expires_at"`
}

// RequestPasswordReset asks for an email with a password-reset link (AppURL +
// "/reset-password/" + token) to the account with the email, if there is one. It only takes
// the request's quotas and queues a job, whatever the email (issuePasswordReset then looks the
// account up, out of the request): the answer and the work behind it are the same for an email
// with an account and one without, statement for statement, so that neither its content nor its
// timing tells which emails have accounts. The limits count every request, for any email.
//
// Errors: BAD_USER_INPUT (email); RATE_LIMITED past PasswordResetClientLimit requests from
// the client's address or PasswordResetEmailLimit for the email in a clock hour.
func (s *AccountService) RequestPasswordReset(ctx context.Context, client netip.Addr, rawEmail string) error {
	email, err := NormalizeEmail("email", rawEmail)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.takeQuota(ctx, tx, "password-reset", clientKey(client), s.cfg.PasswordResetClientLimit, time.Hour, "too many password-reset requests from your network address"); err != nil {
			return err
		}
		if err := s.takeQuota(ctx, tx, "password-reset-email", email, s.cfg.PasswordResetEmailLimit, time.Hour, "too many password-reset requests for this email"); err != nil {
			return err
		}
		return s.cfg.Jobs.Insert(ctx, tx, passwordResetArgs{Email: email}, nil)
	})
}

// validFor says a link's lifetime for an email: "1 hour", "2 hours", "30 minutes".
func validFor(d time.Duration) string {
	switch {
	case d == time.Hour:
		return "1 hour"
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	default:
		return roundUp(d)
	}
}

// PasswordResetTokenValid says whether a reset link's token can still set a password (it is
// known, unused and unexpired), without using it: the reset page checks its link on opening,
// before anyone types a new password. The token is 32 random bytes, so the answer tells
// nothing to someone guessing.
func (s *AccountService) PasswordResetTokenValid(ctx context.Context, token string) (bool, error) {
	return s.db.NewSelect().Model((*passwordReset)(nil)).
		Where("token_hash = ? AND expires_at > ?", hashToken(token), s.now()).Exists(ctx)
}

// ResetPasswordInput is what resetPassword takes.
type ResetPasswordInput struct {
	// Token is the last part of the reset link.
	Token    string
	Password string
}

// ResetPassword sets the password of the reset link's account, ends every session of the
// account and its other reset links, marks its email verified (the link came to that
// mailbox; pending invites to the email are claimed, as verifyEmail does) and starts a
// session; it forgets the email's failed log-ins. The link works once. The new password is
// hashed before the transaction.
//
// Errors: BAD_USER_INPUT (password); NOT_FOUND for an unknown, used or expired token.
func (s *AccountService) ResetPassword(ctx context.Context, in ResetPasswordInput) (*Session, error) {
	if err := checkPasswordRule("password", in.Password); err != nil {
		return nil, err
	}
	notFound := Errorf(NotFound, "this password-reset link is unknown, used or expired; ask for a new one")
	// A token that names nothing costs no password hash.
	exists, err := s.PasswordResetTokenValid(ctx, in.Token)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, notFound
	}
	passwordHash := hashPassword(in.Password, s.cfg.Password)

	var sess *Session
	claimed := 0
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r := new(passwordReset)
		err := tx.NewDelete().Model(r).Where("token_hash = ?", hashToken(in.Token)).Returning("*").Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !r.ExpiresAt.After(s.now())) {
			return notFound // used meanwhile, or expired since the check
		}
		if err != nil {
			return err
		}
		sess, claimed, err = s.setPassword(ctx, tx, r.UserID, passwordHash)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.cfg.Observer.InvitesClaimed(claimed)
	return sess, nil
}

// setPassword gives the account of a used reset link its new password, in tx: it ends every
// secret the old password let anyone start (sessions, reset and verification links), forgets
// the email's failed log-ins, marks the email verified (claiming its pending invites if it was
// not, as verifyEmail does) and starts a session. claimed is how many invites it claimed.
func (s *AccountService) setPassword(ctx context.Context, tx bun.Tx, userID uuid.UUID, passwordHash string) (sess *Session, claimed int, err error) {
	user := new(User)
	if err := tx.NewSelect().Model(user).Where("id = ?", userID).For("UPDATE").Scan(ctx); err != nil {
		return nil, 0, err
	}
	wasVerified := user.EmailVerified()
	user.PasswordHash = passwordHash
	if _, err := tx.NewUpdate().Model(user).Column("password_hash").WherePK().Exec(ctx); err != nil {
		return nil, 0, err
	}
	if err := s.endAccountSecrets(ctx, tx, user.ID, nil); err != nil {
		return nil, 0, err
	}
	if _, err := tx.NewDelete().Model((*emailVerification)(nil)).Where("user_id = ?", user.ID).Exec(ctx); err != nil {
		return nil, 0, err
	}
	// The owner has proven the mailbox: their failed log-ins no longer slow them down.
	if _, err := tx.NewDelete().Model((*loginFailure)(nil)).Where("email = ?", user.Email).Exec(ctx); err != nil {
		return nil, 0, err
	}
	if err := s.markVerified(ctx, tx, user); err != nil {
		return nil, 0, err
	}
	if !wasVerified {
		if claimed, err = s.claimAllPending(ctx, tx, user, uuid.Nil); err != nil {
			return nil, 0, err
		}
	}
	sess, err = s.createSession(ctx, tx, user)
	return sess, claimed, err
}

// endAccountSecrets ends the account's sessions but the one whose token hash is keep (nil:
// every one) and its password-reset links: what the old password let anyone start.
func (s *core) endAccountSecrets(ctx context.Context, tx bun.Tx, userID uuid.UUID, keep []byte) error {
	q := tx.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", userID)
	if keep != nil {
		q = q.Where("token_hash <> ?", keep)
	}
	if _, err := q.Exec(ctx); err != nil {
		return err
	}
	_, err := tx.NewDelete().Model((*passwordReset)(nil)).Where("user_id = ?", userID).Exec(ctx)
	return err
}

// ChangePasswordInput is what changePassword takes.
type ChangePasswordInput struct {
	// Session is the bearer token of the session that asks: it stays; the account's other
	// sessions end.
	Session         string
	CurrentPassword string
	NewPassword     string
	// Client is the caller's network address: wrong current passwords count as failed
	// log-ins of the account's email from it, and are throttled alike.
	Client netip.Addr
}

// ChangePassword sets a new password for the signed-in user of in.Session once the current
// one is given, ends the account's other sessions and its password-reset links. Both
// passwords are hashed outside any transaction.
//
// Errors: UNAUTHENTICATED (no session); BAD_USER_INPUT (newPassword); INVALID_CREDENTIALS for
// a wrong current password (or one changed meanwhile); RATE_LIMITED as for logIn.
func (s *AccountService) ChangePassword(ctx context.Context, in ChangePasswordInput) error {
	user, err := s.Authenticate(ctx, in.Session)
	if err != nil {
		return err
	}
	if err := checkPasswordRule("newPassword", in.NewPassword); err != nil {
		return err
	}
	wrong := &Error{Code: InvalidCredentials, Message: "the current password is wrong", Field: "currentPassword"}
	attempt, err := s.startLogIn(ctx, in.Client, user.Email)
	if err != nil {
		return err
	}
	ok, err := checkPassword(in.CurrentPassword, user.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		return wrong // the attempt stays counted as a failed log-in
	}
	newHash := hashPassword(in.NewPassword, s.cfg.Password)
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// Only over the hash that was checked: a change that came between wins, and this one
		// must be asked again with the password it set.
		res, err := tx.NewUpdate().Model((*User)(nil)).Set("password_hash = ?", newHash).
			Where("id = ? AND password_hash = ?", user.ID, user.PasswordHash).Exec(ctx)
		if err != nil {
			return err
		}
		if rowsAffected(res) != 1 {
			return wrong
		}
		if err := attempt.succeeded(ctx, tx); err != nil {
			return err
		}
		return s.endAccountSecrets(ctx, tx, user.ID, hashToken(in.Session))
	})
}

// ResendVerificationEmail queues a new verification email for the user and ends the links
// sent before, which stop working. A user whose email is verified already gets false and no
// email: there is nothing to verify.
//
// Errors: RATE_LIMITED past VerificationResendLimit a clock hour for the account.
func (s *AccountService) ResendVerificationEmail(ctx context.Context, userID uuid.UUID) (bool, error) {
	user, err := userByID(ctx, s.db, userID)
	if err != nil {
		return false, err
	}
	if user.EmailVerified() {
		return false, nil
	}
	if err := s.takeQuota(ctx, s.db, "verification-resend", userID.String(), s.cfg.VerificationResendLimit, time.Hour, "too many verification emails for your account"); err != nil {
		return false, err
	}
	sent := false
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// Locked so that two resends at once leave one link, and a verification that came
		// between is seen.
		if err := tx.NewSelect().Model(user).WherePK().For("UPDATE").Scan(ctx); err != nil {
			return err
		}
		if user.EmailVerified() {
			return nil
		}
		if _, err := tx.NewDelete().Model((*emailVerification)(nil)).Where("user_id = ?", user.ID).Exec(ctx); err != nil {
			return err
		}
		sent = true
		return s.queueVerification(ctx, tx, user)
	})
	return sent, err
}
