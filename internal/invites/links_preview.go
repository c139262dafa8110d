package invites

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// InviteLinkPreview is what the holder of a link's token sees before joining.
type InviteLinkPreview struct {
	ProjectID           uuid.UUID
	ProjectName         string
	InviterName         string
	Role                Role
	Status              LinkStatus
	ExpiresAt           time.Time
	AllowedEmailDomains []string
	RequiresApproval    bool
}

// InviteLinkPreview returns the preview of the link a token names. Anyone with the token may
// see it.
//
// Errors: NOT_FOUND for an unknown token.
func (s *LinkService) InviteLinkPreview(ctx context.Context, token string) (*InviteLinkPreview, error) {
	db := s.read(ctx)
	l, err := s.linkByToken(ctx, db, token)
	if err != nil {
		return nil, err
	}
	p := &InviteLinkPreview{ProjectID: l.ProjectID, Role: l.Role, Status: l.Status, ExpiresAt: l.ExpiresAt, AllowedEmailDomains: l.AllowedEmailDomains,
		RequiresApproval: l.RequiresApproval}
	err = db.NewRaw(`SELECT (SELECT name FROM users WHERE id = ?), (SELECT name FROM projects WHERE id = ?)`,
		l.CreatedBy, l.ProjectID).Scan(ctx, &p.InviterName, &p.ProjectName)
	if err != nil {
		return nil, err
	}
	return p, nil
}
