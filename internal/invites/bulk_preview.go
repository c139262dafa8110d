package invites

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/invites/invites/internal/locale"
	"github.com/uptrace/bun"
)

// previewRow is a stored preview (bulk_previews): a dry run's plan until it is confirmed, then
// the confirmed result.
type previewRow struct {
	ProjectID   uuid.UUID
	ID          uuid.UUID
	Plan        []byte
	Result      []byte
	ExpiresAt   time.Time
	ConfirmedAt *time.Time
}

// storedPlan is what a preview keeps to be confirmed: the batch as given and what it promised.
type storedPlan struct {
	DefaultRole    Role        `json:"defaultRole"`
	IgnoredColumns []string    `json:"ignoredColumns"`
	FileName       string      `json:"fileName,omitempty"`
	Rows           []storedRow `json:"rows"`
	Locale         string      `json:"locale,omitempty"`
	Note           *string     `json:"note,omitempty"`
}

// storedRow is one row of a preview: the cells as given and the outcome promised, whose Record
// is the ID of the invite that a new invitation creates.
type storedRow struct {
	BulkRow
	Outcome rowOutcome `json:"outcome"`
}

// storedOutcome is a confirmed preview's result, which a second confirmation answers with.
type storedOutcome struct {
	Results        []rowResult `json:"results"`
	Summary        BulkSummary `json:"summary"`
	IgnoredColumns []string    `json:"ignoredColumns"`
}

// maxStoredPreviews is how many previews one inviter keeps, confirmed or not: a new dry run
// deletes the oldest beyond it, so that nobody fills the database with previews (a roster
// previewed again costs no quota).
const maxStoredPreviews = 10

// previewKeptAfterExpiry is how long the sweep keeps a preview after it expires: a late
// confirmation hears PREVIEW_STALE (expired), and a retried one the first result.
const previewKeptAfterExpiry = 24 * time.Hour

// storePreview stores the dry run p of batch b for ConfirmBulkInvite, for BulkPreviewTTL, and
// deletes the inviter's previews beyond the newest maxStoredPreviews (skipping one that a
// confirmation holds: it is deleted by a later dry run or the sweep).
func (s *BulkService) storePreview(ctx context.Context, tx bun.Tx, p *bulkPlan, b bulkBatch) (*previewRow, error) {
	plan := storedPlan{DefaultRole: b.defaultRole, IgnoredColumns: b.ignored, FileName: b.fileName, Rows: make([]storedRow, len(p.rows)),
		Locale: p.locale, Note: b.note}
	for i, r := range p.rows {
		plan.Rows[i] = storedRow{BulkRow: b.rows[i], Outcome: p.promised(r)}
	}
	data, err := json.Marshal(plan)
	if err != nil {
		return nil, err
	}
	inviter := p.actor.UserID
	// One inviter's dry runs in several projects at once keep the count exact.
	if err := advisoryLock(ctx, tx, "bulk-previews:"+inviter.String()); err != nil {
		return nil, err
	}
	_, err = tx.Tx.ExecContext(ctx, `DELETE FROM bulk_previews WHERE (project_id, id) IN (
			SELECT project_id, id FROM bulk_previews WHERE inviter_id = $1
			ORDER BY created_at DESC, id DESC OFFSET $2 FOR UPDATE SKIP LOCKED)`,
		pgUUID(inviter), maxStoredPreviews-1)
	if err != nil {
		return nil, err
	}
	pv := &previewRow{ProjectID: p.project.ID, ID: newID(), Plan: data, ExpiresAt: p.now.Add(s.cfg.BulkPreviewTTL)}
	// The plan goes as a bound parameter: bun would write its megabytes into the SQL text.
	_, err = tx.Tx.ExecContext(ctx, `INSERT INTO bulk_previews (project_id, id, inviter_id, plan, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, pgUUID(pv.ProjectID), pgUUID(pv.ID), pgUUID(inviter), data, pgTime(p.now), pgTime(pv.ExpiresAt))
	return pv, err
}

// ConfirmBulkInvite writes the actor's preview previewID exactly as it was shown: the same
// results, the new invites with the IDs it returned, their emails queued. It works the rows
// out again on the project as it is now, in one transaction under the project's lock, and
// writes nothing unless every row comes to the outcome the preview promised. A preview already
// confirmed answers with its first result and writes nothing: two confirmations at once queue
// on the preview's row, and the second finds the first's result.
//
// Errors: EMAIL_NOT_VERIFIED (the actor's email), NOT_FOUND (no such preview of the actor's:
// never made, a day past its expiry, or beyond their newest maxStoredPreviews; or no longer a
// member), FORBIDDEN (below ADMIN now), PREVIEW_STALE (expired: Reason EXPIRED; a row's outcome
// changed: Reason CHANGED, Rows naming them), RATE_LIMITED (a confirmation in a later hour
// counts its addresses in that hour).
func (s *BulkService) ConfirmBulkInvite(ctx context.Context, actor, previewID uuid.UUID) (*BulkOutcome, error) {
	if _, err := requireVerifiedInviter(ctx, s.db, actor); err != nil {
		return nil, err
	}
	var out *BulkOutcome
	created := 0
	err := s.inCopyTx(ctx, func(ctx context.Context, tx bun.Tx, cp copier) error {
		pv, err := lockPreview(ctx, tx, actor, previewID)
		if err != nil {
			return err
		}
		if pv.ConfirmedAt != nil {
			if _, err := requireRole(ctx, tx, pv.ProjectID, actor, MinRoleToInvite); err != nil {
				return err
			}
			out, err = pv.confirmedOutcome()
			return err
		}
		out, err = s.confirm(ctx, tx, cp, actor, pv)
		if out != nil {
			created = out.Summary.NewInvitations
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	s.cfg.Observer.InvitesCreated(created)
	return out, nil
}

// lockPreview reads and locks the actor's preview id for the rest of tx.
//
// Errors: NOT_FOUND.
func lockPreview(ctx context.Context, tx bun.Tx, actor, id uuid.UUID) (*previewRow, error) {
	pv := &previewRow{ID: id}
	var confirmed sql.Null[time.Time]
	err := tx.Tx.QueryRowContext(ctx, `SELECT project_id, plan, result, expires_at, confirmed_at FROM bulk_previews
		WHERE id = $1 AND inviter_id = $2 FOR UPDATE`, pgUUID(id), pgUUID(actor)).
		Scan(&pv.ProjectID, &pv.Plan, &pv.Result, &pv.ExpiresAt, &confirmed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(NotFound, "preview not found (only your %d newest previews are kept, each until a day after it expires); preview again", maxStoredPreviews)
	}
	if err != nil {
		return nil, err
	}
	if confirmed.Valid {
		pv.ConfirmedAt = &confirmed.V
	}
	return pv, nil
}

// confirm writes the unconfirmed preview pv if it is still what it showed, and stores the
// result for a second confirmation.
func (s *BulkService) confirm(ctx context.Context, tx bun.Tx, cp copier, actor uuid.UUID, pv *previewRow) (*BulkOutcome, error) {
	if now := s.now(); !now.Before(pv.ExpiresAt) {
		e := Errorf(PreviewStale, "this preview expired at %s; preview again", pv.ExpiresAt.Format("15:04 MST"))
		e.Reason = ReasonPreviewExpired
		return nil, e
	}
	var plan storedPlan
	if err := json.Unmarshal(pv.Plan, &plan); err != nil {
		return nil, fmt.Errorf("read preview %s: %w", pv.ID, err)
	}
	b := bulkBatch{projectID: pv.ProjectID, defaultRole: plan.DefaultRole, ignored: plan.IgnoredColumns, fileName: plan.FileName,
		rows: make([]BulkRow, len(plan.Rows)), inviteIDs: map[int]uuid.UUID{}, locale: new(locale.Known(plan.Locale)), note: plan.Note}
	for i, r := range plan.Rows {
		b.rows[i] = r.BulkRow
		if r.Outcome.Kind == rowNewInvitation {
			b.inviteIDs[r.Row] = r.Outcome.Record
		}
	}
	p, err := s.plan(ctx, tx, actor, b)
	if err != nil {
		return nil, err
	}
	if err := p.checkPromises(plan.Rows); err != nil {
		return nil, err
	}
	if err := p.write(ctx, tx, cp); err != nil {
		return nil, err
	}
	out := p.outcome(plan.IgnoredColumns)
	stored := storedOutcome{Results: make([]rowResult, len(p.rows)), Summary: out.Summary, IgnoredColumns: out.IgnoredColumns}
	for i, r := range p.rows {
		stored.Results[i] = r.res
	}
	data, err := json.Marshal(stored)
	if err != nil {
		return nil, err
	}
	_, err = tx.Tx.ExecContext(ctx, `UPDATE bulk_previews SET plan = NULL, result = $3, confirmed_at = $4
		WHERE project_id = $1 AND id = $2`, pgUUID(pv.ProjectID), pgUUID(pv.ID), data, pgTime(p.now))
	return out, err
}

// confirmedOutcome is the result that confirmed pv.
func (pv *previewRow) confirmedOutcome() (*BulkOutcome, error) {
	var stored storedOutcome
	if err := json.Unmarshal(pv.Result, &stored); err != nil {
		return nil, fmt.Errorf("read the result of preview %s: %w", pv.ID, err)
	}
	out := &BulkOutcome{Results: make([]BulkResult, len(stored.Results)), Summary: stored.Summary, IgnoredColumns: stored.IgnoredColumns}
	for i := range stored.Results {
		out.Results[i] = stored.Results[i].result()
	}
	return out, nil
}
