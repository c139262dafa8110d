package delivery

import (
	"fmt"
	"strings"

	"github.com/invites/invites/internal/mail"
)

// rank orders the statuses an email moves through: an event moves an email only to a status
// of a higher rank, never back, so that events arriving out of order (a late DELIVERED after a
// bounce, a DEFERRED after DELIVERED) change nothing. QUEUED and FAILED_RETRYABLE are not yet
// out; SENT and FAILED_PERMANENT are what our side knows last (a provider's report after
// FAILED_PERMANENT means the message did leave, its acceptance lost on the way back); the
// final reports share the top rank, so the first of them stands.
var rank = map[mail.Status]int{
	mail.StatusQueued:          0,
	mail.StatusFailedRetryable: 0,
	mail.StatusSent:            1,
	mail.StatusFailedPermanent: 1,
	mail.StatusDeferred:        2,
	mail.StatusDelivered:       3,
	mail.StatusBounced:         4,
	mail.StatusComplained:      4,
	mail.StatusSuppressed:      4,
}

// Advances reports whether an email in status from moves to status to: to ranks above from.
func Advances(from, to mail.Status) bool {
	f, okFrom := rank[from]
	t, okTo := rank[to]
	return okFrom && okTo && t > f
}

// rankSQL is rank as an SQL expression of the column or value col, so that the conditional
// UPDATE decides in the database, under the row's lock, as Advances does.
func rankSQL(col string) string {
	var b strings.Builder
	b.WriteString("CASE " + col)
	for _, s := range statusOrder {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", s, rank[s])
	}
	b.WriteString(" END")
	return b.String()
}

// statusOrder lists rank's keys in a fixed order, so that rankSQL is the same string each time.
var statusOrder = []mail.Status{
	mail.StatusQueued, mail.StatusFailedRetryable, mail.StatusSent, mail.StatusFailedPermanent,
	mail.StatusDeferred, mail.StatusDelivered, mail.StatusBounced, mail.StatusComplained, mail.StatusSuppressed,
}

// statusOf is the status an event of kind k moves its email to; ok is false for a kind that
// changes no status (an unsubscription suppresses the address, but the email was delivered).
// A soft bounce is DEFERRED: the provider may try again, and three suppress the address.
func statusOf(k Kind) (s mail.Status, ok bool) {
	switch k {
	case Delivered:
		return mail.StatusDelivered, true
	case Deferred, SoftBounce:
		return mail.StatusDeferred, true
	case HardBounce:
		return mail.StatusBounced, true
	case Complaint:
		return mail.StatusComplained, true
	}
	return "", false
}

// validKind reports whether k is one of the kinds event.go declares.
func validKind(k Kind) bool {
	switch k {
	case Delivered, Deferred, SoftBounce, HardBounce, Complaint, Unsubscribed:
		return true
	}
	return false
}
