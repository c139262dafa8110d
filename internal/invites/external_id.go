package invites

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// checkExternalIDFree is the one check of EXTERNAL_ID_TAKEN: id (nil: none) is held in the
// project by no member but holder and by no pending invite. Run under the project's lock,
// after expireDue.
func checkExternalIDFree(ctx context.Context, tx bun.Tx, projectID uuid.UUID, id *string, holder uuid.UUID) error {
	if id == nil {
		return nil
	}
	var held bool
	err := tx.NewRaw(`SELECT EXISTS (
			SELECT 1 FROM project_members WHERE project_id = ? AND external_id = ? AND user_id <> ?
			UNION ALL
			SELECT 1 FROM invites WHERE project_id = ? AND external_id = ? AND status = 'PENDING')`,
		projectID, *id, holder, projectID, *id).Scan(ctx, &held)
	if err != nil {
		return err
	}
	if held {
		return externalIDTaken(id)
	}
	return nil
}

// externalIDTaken is the EXTERNAL_ID_TAKEN error for id, or for nil the ID a concurrent
// write took (a unique index caught it, and the ID is not at hand).
func externalIDTaken(id *string) *Error {
	if id == nil {
		return Errorf(ExternalIDTaken, "this external ID is held by another member or pending invite of this project")
	}
	return Errorf(ExternalIDTaken, "external ID %q is held by another member or pending invite of this project", *id)
}

// checkExternalIDFreeNow is checkExternalIDFree after marking the project's expired invites,
// which frees the IDs they held. Run under the project's lock.
func (s *core) checkExternalIDFreeNow(ctx context.Context, tx bun.Tx, projectID uuid.UUID, id *string, holder uuid.UUID) error {
	if id == nil {
		return nil
	}
	if err := s.expireDue(ctx, tx, projectID, ""); err != nil {
		return err
	}
	return checkExternalIDFree(ctx, tx, projectID, id, holder)
}
