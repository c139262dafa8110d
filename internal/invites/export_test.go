package invites

import (
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
