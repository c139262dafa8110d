package invites

import (
	"context"
	"database/sql"
	"errors"
	"net/netip"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/locale"
	"github.com/invites/invites/internal/mail"
)

// User is an account.
type User struct {
	bun.BaseModel `bun:"table:users,alias:u"`

	ID              uuid.UUID  `bun:"id,pk,type:uuid"`
	Email           string     `bun:"email,notnull"`
	Name            string     `bun:"name,notnull"`
	PasswordHash    string     `bun:"password_hash,notnull" json:"-"`
	EmailVerifiedAt *time.Time `bun:"email_verified_at"`
	CreatedAt       time.Time  `bun:"created_at,notnull"`
	// Locale is the language of the emails written to the user (internal/locale), from the
	// Accept-Language of their sign-up; nil for accounts made before it was kept.
	Locale *string `bun:"locale"`
}

// userLocale is the language of the emails written to u: English where none is kept.
func userLocale(u *User) string {
	if u == nil || u.Locale == nil {
		return locale.Default
	}
	return locale.Known(*u.Locale)
}

// userByID reads one account.
func userByID(ctx context.Context, db bun.IDB, id uuid.UUID) (*User, error) {
	u := new(User)
	err := db.NewSelect().Model(u).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(NotFound, "user not found")
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// EmailVerified reports whether the user has proven they own their email.
func (u *User) EmailVerified() bool { return u.EmailVerifiedAt != nil }

type emailVerification struct {
	bun.BaseModel `bun:"table:email_verifications"`

	TokenHash []byte    `bun:"token_hash,pk"`
	UserID    uuid.UUID `bun:"user_id,type:uuid"`
	Email     string    `bun:"email"`
	CreatedAt time.Time `bun:"created_at"`
	ExpiresAt time.Time `bun:"expires_at"`
}

// SignUpInput is what signUp takes.
type SignUpInput struct {
	// Email may be left out when InviteToken is given: the invite's email is used.
	Email    string
	Password string
	Name     string
	// InviteToken, from an invite's link, claims that invite while signing up.
	InviteToken string
	// Client is the caller's network address: sign-ups without an invite token are capped
	// per address.
	Client netip.Addr
	// AcceptLanguage is the request's Accept-Language header: the account's locale.
	AcceptLanguage string
}

// SignUp creates an account and signs the user in. Without an invite token the email is
// unverified and an email that verifies it is queued. With one, the email is the invite's and
// counts as verified (the token came to that mailbox): the invite is claimed, and so is every
// other pending invite to the email.
//
// Errors: BAD_USER_INPUT (email, password, name), EMAIL_TAKEN, RATE_LIMITED (too many sign-ups
// from the client's address: SignUpClientLimit an hour); with a token also NOT_FOUND,
// EMAIL_MISMATCH, INVITE_EXPIRED and INVITE_NOT_PENDING, and then no account is made.
func (s *AccountService) SignUp(ctx context.Context, in SignUpInput) (*Session, error) {
	name, err := normalizeName("name", in.Name)
	if err != nil {
		return nil, err
	}
	if in.InviteToken != "" {
		return s.signUpWithInvite(ctx, in, name)
	}
	email, err := NormalizeEmail("email", in.Email)
	if err != nil {
		return nil, err
	}
	if err := checkPasswordRule("password", in.Password); err != nil {
		return nil, err
	}
	// Only sign-ups without a token are counted: they make unverified accounts and email
	// unproven addresses, while a token sign-up needs an invite, which is capped already.
	if err := s.takeClientQuota(ctx, "sign-up", in.Client, s.cfg.SignUpClientLimit, time.Hour, "sign-ups"); err != nil {
		return nil, err
	}
	// Hashing costs tens of milliseconds: do it before the transaction, not inside it.
	user := &User{ID: newID(), Email: email, Name: name, PasswordHash: hashPassword(in.Password, s.cfg.Password), CreatedAt: s.now(),
		Locale: new(locale.FromAcceptLanguage(in.AcceptLanguage))}

	return s.startSession(ctx, user, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(user).Exec(ctx); err != nil {
			if isUniqueViolation(err, "users_email_key") {
				return Errorf(EmailTaken, "an account with this email exists already")
			}
			return err
		}
		return s.queueVerification(ctx, tx, user)
	})
}

// signUpInvite returns the claimable invite that a sign-up's token names, once the sign-up's
// email (if given) is the invite's and its password keeps the rule.
func (s *core) signUpInvite(ctx context.Context, in SignUpInput) (*Invite, error) {
	inv, err := s.inviteByToken(ctx, s.db, in.InviteToken)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Email) != "" {
		email, err := NormalizeEmail("email", in.Email)
		if err != nil {
			return nil, err
		}
		if email != inv.Email {
			return nil, Errorf(EmailMismatch, "this invite was sent to another email; sign up with that email or leave email out")
		}
	}
	if err := checkPasswordRule("password", in.Password); err != nil {
		return nil, err
	}
	if err := inv.claimable(); err != nil {
		return nil, err
	}
	return inv, nil
}

// signUpWithInvite makes an account for the email of the invite the token names (verified:
// the token came to that mailbox), claims that invite and every other pending one to the
// email, and starts a session, in one transaction.
func (s *core) signUpWithInvite(ctx context.Context, in SignUpInput, name string) (*Session, error) {
	inv, err := s.signUpInvite(ctx, in)
	if err != nil {
		return nil, err
	}
	now := s.now()
	user := &User{ID: newID(), Email: inv.Email, Name: name, PasswordHash: hashPassword(in.Password, s.cfg.Password), EmailVerifiedAt: &now, CreatedAt: now,
		Locale: new(locale.FromAcceptLanguage(in.AcceptLanguage))}

	var sess *Session
	claimed := 0
	err = s.claimTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(user).Exec(ctx); err != nil {
			if isUniqueViolation(err, "users_email_key") {
				return Errorf(EmailTaken, "an account with this email exists already; log in and accept the invite")
			}
			return err
		}
		others, err := s.lockClaimProjects(ctx, tx, user.Email, inv.ID)
		if err != nil {
			return err
		}
		locked, err := s.lockToClaim(ctx, tx, inv.ID) // its project's lock is shared already
		if err != nil {
			return err
		}
		if _, err := s.claim(ctx, tx, locked, user); err != nil {
			return err
		}
		if others {
			if claimed, err = s.claimAllPending(ctx, tx, user, inv.ID); err != nil {
				return err
			}
		} else if err := s.autoJoin(ctx, tx, user); err != nil {
			// The invite proved the email: AUTO domains take the person in, as
			// claimAllPending does when there are other invites to claim.
			return err
		}
		sess, err = s.createSession(ctx, tx, user)
		return err
	})
	if err == nil {
		s.cfg.Observer.InvitesClaimed(1 + claimed)
	}
	if ErrorCode(err) == EmailTaken {
		// A sign-up with this invite (or another to the email) that won a race claimed it:
		// answer as to a sign-up that came after it.
		if now, rerr := s.inviteByToken(ctx, s.db, in.InviteToken); rerr == nil && now.claimable() != nil {
			return nil, now.claimable()
		}
	}
	if err != nil {
		return nil, err
	}
	return sess, nil
}

func (s *core) queueVerification(ctx context.Context, tx bun.Tx, user *User) error {
	token, hash := newToken()
	now := s.now()
	v := &emailVerification{TokenHash: hash, UserID: user.ID, Email: user.Email, CreatedAt: now, ExpiresAt: now.Add(s.cfg.VerificationTTL)}
	if _, err := tx.NewInsert().Model(v).Exec(ctx); err != nil {
		return err
	}
	_, err := s.mailer.Enqueue(ctx, tx, mail.Verification(user.Email, user.Name, s.cfg.AppURL+"/verify-email/"+token).In(userLocale(user)))
	return err
}

// VerifyEmail marks the email of the link's account as verified, and claims every pending
// invite to it: an account made without a token by someone invited before gets those invites
// once the email is proven. A link works once.
//
// Errors: NOT_FOUND for an unknown, used or expired token.
func (s *AccountService) VerifyEmail(ctx context.Context, token string) (*User, error) {
	user := new(User)
	claimed := 0
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		v := new(emailVerification)
		err := tx.NewDelete().Model(v).Where("token_hash = ?", hashToken(token)).Returning("*").Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !v.ExpiresAt.After(s.now())) {
			return Errorf(NotFound, "this verification link is unknown, used or expired")
		}
		if err != nil {
			return err
		}
		user.ID = v.UserID
		if err := s.markVerified(ctx, tx, user); err != nil {
			return err
		}
		claimed, err = s.claimAllPending(ctx, tx, user, uuid.Nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.cfg.Observer.InvitesClaimed(claimed)
	return user, nil
}

// markVerified marks the user's email verified.
func (s *core) markVerified(ctx context.Context, tx bun.Tx, user *User) error {
	return tx.NewUpdate().Model(user).Set("email_verified_at = COALESCE(email_verified_at, ?)", s.now()).
		WherePK().Returning("*").Scan(ctx)
}

func userEmail(ctx context.Context, db bun.IDB, id uuid.UUID) (string, error) {
	u, err := userByID(ctx, db, id)
	if err != nil {
		return "", err
	}
	return u.Email, nil
}
