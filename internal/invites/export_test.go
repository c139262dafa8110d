package invites

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// The validators, for the table tests of their rules.
var (
	NormalizeName         = normalizeName
	NormalizeOptionalName = normalizeOptionalName
	NormalizeExternalID   = normalizeExternalID
	CheckRole             = checkRole
	CheckStatus           = checkStatus
)

// CursorString writes the cursor of the item created at at with id, as a page does.
func CursorString(at time.Time, id uuid.UUID) string { return cursor{At: at, ID: id}.String() }

// ErrorMessage is err's message for a client: "internal error" for anything that is not an
// *Error.
func ErrorMessage(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return "internal error"
}

// IssuePasswordReset works one password-reset job for email, as River's worker does.
func IssuePasswordReset(s *Service, ctx context.Context, email string) error {
	return s.issuePasswordReset(ctx, email)
}

// InviteSearchSQL is the search condition of a project's invites, with $1 the project and $2
// the pattern, as the invite page writes it: the plan test explains it at scale.
const InviteSearchSQL = "i.project_id = $1 AND " + inviteSearchText + " ILIKE $2"
