package invites

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// askThroughDomain is the request that a verified domain of the project at user's verified
// email, whose policy is REQUEST, lets them make, with the domain's role. The domain's row
// stays locked (FOR SHARE, by joinDomain) until tx ends, so that a policy turned OFF meanwhile
// either waits for the request or is seen by it. Whoever no domain shows the project to
// learns nothing of it: NOT_FOUND, as for a project that does not exist.
func (s *core) askThroughDomain(ctx context.Context, tx bun.Tx, user *User, projectID uuid.UUID) (*JoinRequest, error) {
	if !user.EmailVerified() {
		return nil, Errorf(NotFound, "project not found")
	}
	d, err := s.joinDomain(ctx, tx, projectID, user)
	if err != nil {
		return nil, err
	}
	if d.Policy != PolicyRequest {
		// SUGGEST or AUTO: the project is shown to the user (joinableProjects), who may join it.
		return nil, Errorf(Forbidden, "this project admits people at %s at once: join it instead (joinProject)", d.Domain)
	}
	// restrictToDomains admits the user by construction: d is a verified domain of the
	// project at their email. Approval checks it again, as the domain may be gone by then.
	return &JoinRequest{ProjectID: projectID, AskedRole: d.DefaultRole}, nil
}
