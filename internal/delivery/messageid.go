package delivery

import (
	"strings"

	"github.com/google/uuid"
)

// EmailIDFromMessageID reads the emails row's ID out of a Message-ID that internal/mail wrote:
// `<id@domain>` (angle brackets optional, as providers echo it either way). ok is false for a
// Message-ID that is not one of ours (another sender's, or one a provider made up).
func EmailIDFromMessageID(messageID string) (uuid.UUID, bool) {
	s := strings.TrimSpace(messageID)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
	local, _, found := strings.Cut(s, "@")
	if !found {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(local)
	if err != nil || len(local) != 36 {
		return uuid.Nil, false
	}
	return id, true
}
