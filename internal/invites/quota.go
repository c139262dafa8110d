package invites

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// takeInviteQuota counts n invite emails (new or resent) against the inviter's cap for the
// current clock hour, in tx: a refusal rolls the count back with the rest of the call. A cap
// of 0 or less means none.
//
// Errors: RATE_LIMITED.
func (s *core) takeInviteQuota(ctx context.Context, tx bun.Tx, inviter uuid.UUID, n int) error {
	limit := s.cfg.InviteRateLimit
	if limit <= 0 || n == 0 {
		return nil
	}
	window := s.now().Truncate(time.Hour)
	var sent int
	err := tx.NewRaw(`INSERT INTO invite_quota (inviter_id, window_start, sent) VALUES (?, ?, ?)
		ON CONFLICT (inviter_id, window_start) DO UPDATE SET sent = invite_quota.sent + EXCLUDED.sent
		RETURNING sent`, inviter, window, n).Scan(ctx, &sent)
	if err != nil {
		return err
	}
	if sent > limit {
		return inviterCapError(limit, sent, n, window)
	}
	return nil
}

// inviterCapError is the refusal of n invite emails that brought the inviter's count for the
// hour from window to sent, past limit.
func inviterCapError(limit, sent, n int, window time.Time) error {
	return Errorf(RateLimited, "you may send %d invites an hour and have %d left this hour; try again after %s",
		limit, max(0, limit-(sent-n)), window.Add(time.Hour).Format("15:04 MST"))
}

// takeAddressQuota counts, against the inviter's hourly cap (the one takeInviteQuota counts
// emails against), each of emails that the inviter has not looked up yet this clock hour, and
// records it as looked up, in tx: a refusal, or any later failure of the call, rolls both back.
// A bulk invite calls it with the addresses new to the project that it looked up, preview or
// not, so that a preview and its confirmation, or the same roster uploaded again, count once.
//
// Race-safe: the addresses go in sorted, under the table's primary key, so that a concurrent
// batch of the same inviter waits for this one on the first address they share and then finds
// it counted (or, if this one rolled back, counts it itself), and two batches never wait on
// each other in a cycle. A cap of 0 or less means none: nothing is recorded.
//
// Errors: RATE_LIMITED.
func (s *core) takeAddressQuota(ctx context.Context, tx bun.Tx, inviter uuid.UUID, emails []string) error {
	limit := s.cfg.InviteRateLimit
	if limit <= 0 || len(emails) == 0 {
		return nil
	}
	window := s.now().Truncate(time.Hour)
	hashes := make([][]byte, len(emails))
	for i, e := range emails {
		h := sha256.Sum256([]byte(e))
		hashes[i] = h[:]
	}
	rows, err := queryBound(ctx, tx, `WITH added AS (
			INSERT INTO invite_quota_addresses (inviter_id, window_start, address_hash)
			SELECT $1, $2, h FROM unnest($3::bytea[]) AS h ORDER BY h
			ON CONFLICT DO NOTHING
			RETURNING 1),
		counted AS (
			INSERT INTO invite_quota (inviter_id, window_start, sent)
			SELECT $1, $2, count(*) FROM added HAVING count(*) > 0
			ON CONFLICT (inviter_id, window_start) DO UPDATE SET sent = invite_quota.sent + EXCLUDED.sent
			RETURNING sent)
		SELECT (SELECT count(*) FROM added), COALESCE((SELECT sent FROM counted), 0)`,
		pgUUID(inviter), pgTime(window), hashes)
	if err != nil {
		return err
	}
	defer rows.Close()
	var added, sent int
	if !rows.Next() {
		return errors.Join(rows.Err(), errors.New("the address quota's statement returned no row"))
	}
	if err := rows.Scan(&added, &sent); err != nil {
		return err
	}
	if sent > limit {
		return Errorf(RateLimited, "you may invite %d people an hour (a bulk invite counts each address new to the project once an hour, previews too); "+
			"this batch has %d addresses not counted yet this hour and you have %d left; try again after %s",
			limit, added, max(0, limit-(sent-added)), window.Add(time.Hour).Format("15:04 MST"))
	}
	return rows.Close()
}

// requireVerifiedInviter returns the actor, who may send invites only once their email is
// verified: an unverified account could otherwise send invites from us to anyone.
//
// Errors: EMAIL_NOT_VERIFIED, NOT_FOUND (no such account).
func requireVerifiedInviter(ctx context.Context, db bun.IDB, actor uuid.UUID) (*User, error) {
	u, err := userByID(ctx, db, actor)
	if err != nil {
		return nil, err
	}
	if !u.EmailVerified() {
		return nil, Errorf(EmailNotVerified, "verify your email (follow the link we sent you) before you send invites")
	}
	return u, nil
}

// resendInterval is how long an invite's resend waits after the previous one.
const resendInterval = time.Minute

// checkResendInterval refuses a resend of inv within resendInterval of its previous resend.
// The caller holds inv's row lock, so concurrent resends see each other.
//
// Errors: RATE_LIMITED.
func (s *core) checkResendInterval(inv *Invite) error {
	if inv.ResentAt == nil {
		return nil
	}
	next := inv.ResentAt.Add(resendInterval)
	if wait := next.Sub(s.now()); wait > 0 {
		return Errorf(RateLimited, "this invite was resent moments ago; resend it again in %d seconds (at %s)",
			int(math.Ceil(wait.Seconds())), next.Format("15:04:05 MST"))
	}
	return nil
}

// recipientDay is the UTC day that the per-recipient cap counts in.
func (s *core) recipientDay() time.Time {
	return s.now().Truncate(24 * time.Hour)
}

func (s *core) recipientCapMessage(email string) string {
	return fmt.Sprintf("%s has had %d invite emails today, the most one address may get a day; try again after %s",
		email, s.cfg.InviteRecipientDailyLimit, s.recipientDay().Add(24*time.Hour).Format("2006-01-02 15:04 MST"))
}

// takeRecipientQuota counts one invite email to email against the address's daily cap, in tx:
// a rollback gives it back. A cap of 0 or less means none.
//
// Errors: RATE_LIMITED.
func (s *core) takeRecipientQuota(ctx context.Context, tx bun.Tx, email string) error {
	limit := s.cfg.InviteRecipientDailyLimit
	if limit <= 0 {
		return nil
	}
	var sent int
	err := tx.NewRaw(`INSERT INTO invite_recipient_quota (email, day, sent) VALUES (?, ?::date, 1)
		ON CONFLICT (email, day) DO UPDATE SET sent = invite_recipient_quota.sent + 1
		WHERE invite_recipient_quota.sent < ?
		RETURNING sent`, email, s.recipientDay().Format(time.DateOnly), limit).Scan(ctx, &sent)
	if errors.Is(err, sql.ErrNoRows) {
		return Errorf(RateLimited, "%s", s.recipientCapMessage(email))
	}
	return err
}

// takeRecipientQuotas counts one invite email to each of emails (distinct) against their
// daily caps, in one statement, and returns the emails whose cap is used up: those get none.
// With dryRun it only checks.
func (s *core) takeRecipientQuotas(ctx context.Context, tx bun.Tx, emails []string, dryRun bool) (map[string]bool, error) {
	limit := s.cfg.InviteRecipientDailyLimit
	full := map[string]bool{}
	if limit <= 0 || len(emails) == 0 {
		return full, nil
	}
	day := s.recipientDay().Format(time.DateOnly)
	var refused []string
	var err error
	// The emails go as a bound parameter, not in the SQL text (see queryBound).
	if dryRun {
		refused, err = queryStrings(ctx, tx, `SELECT email FROM invite_recipient_quota WHERE day = $1::date AND sent >= $2 AND email = ANY($3::text[])`,
			day, limit, emails)
	} else {
		// Only the refused come back: a batch of 10,000 new addresses returns nothing,
		// where RETURNING the taken ones sent back all 10,000 to be read and compared.
		refused, err = queryStrings(ctx, tx, `WITH taken AS (
				INSERT INTO invite_recipient_quota (email, day, sent)
				SELECT e, $1::date, 1 FROM unnest($2::text[]) AS e
				ON CONFLICT (email, day) DO UPDATE SET sent = invite_recipient_quota.sent + 1
				WHERE invite_recipient_quota.sent < $3
				RETURNING email)
			SELECT e FROM unnest($2::text[]) AS e EXCEPT SELECT email FROM taken`, day, emails, limit)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	for _, e := range refused {
		full[e] = true
	}
	return full, nil
}

// queryStrings runs query in tx with args bound (see queryBound) and returns its one text column.
func queryStrings(ctx context.Context, tx bun.Tx, query string, args ...any) ([]string, error) {
	rows, err := queryBound(ctx, tx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
