package invites

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/invitecsv"
)

// FailureReason is why one row of a bulk invite failed.
type FailureReason string

// The row failure reasons, in the order the checks run.
const (
	ReasonInvalidEmail        FailureReason = "INVALID_EMAIL"
	ReasonInvalidRole         FailureReason = "INVALID_ROLE"
	ReasonRoleNotAllowed      FailureReason = "ROLE_NOT_ALLOWED"
	ReasonInvalidExternalID   FailureReason = "INVALID_EXTERNAL_ID"
	ReasonInvalidName         FailureReason = "INVALID_NAME"
	ReasonDuplicateEmail      FailureReason = "DUPLICATE_EMAIL"
	ReasonDuplicateExternalID FailureReason = "DUPLICATE_EXTERNAL_ID"
	ReasonExternalIDTaken     FailureReason = "EXTERNAL_ID_TAKEN"
	ReasonFailedToSend        FailureReason = "FAILED_TO_SEND"
	ReasonInvalidLocale       FailureReason = "INVALID_LOCALE"
	// ReasonEmailDomainNotAllowed: the project is restricted to its verified domains.
	ReasonEmailDomainNotAllowed FailureReason = "EMAIL_DOMAIN_NOT_ALLOWED"
)

// BulkRow is one row of a bulk invite as given. A blank Role means the batch's default role;
// a blank ExternalID keeps an existing record's ID, and a blank Name an existing invite's name.
type BulkRow struct {
	// Row is the 1-based index in the rows given, or the line number in a CSV file.
	Row        int
	Email      string
	Role       string
	ExternalID string
	Name       string
	// Locale is a BCP 47 tag; blank: the batch's locale.
	Locale string `json:",omitempty"`
}

// BulkInput is what bulkInvite takes: exactly one of Rows and CSV.
type BulkInput struct {
	ProjectID   uuid.UUID
	Rows        []BulkRow
	CSV         io.Reader
	DefaultRole Role
	// FileName is the uploaded CSV file's name, which the batch's activity event names;
	// empty for rows given as a list.
	FileName string
	// DryRun works out every result and sends nothing: it stores the preview, which
	// ConfirmBulkInvite writes (bulk_preview.go).
	DryRun bool
	// Locale is the locale of rows that name none (nil: the project's default, else
	// AcceptLanguage's, else English); Note the inviter's words, in every email of the batch.
	Locale, Note   *string
	AcceptLanguage string
}

// BulkInvite invites the rows of a list or a CSV file into a project in one transaction: new
// emails get an invite and its email (sent after the commit); a pending invite's role and
// external ID are updated where the row gives them; a member's external ID is updated, never
// their role. Row problems are results, not errors. External IDs are judged on the project as
// it will be after the batch, so IDs that the batch moves away are free for its other rows.
//
// A dry run writes none of that: it stores the preview, with the IDs of the invites it would
// create, under the outcome's PreviewID, for ConfirmBulkInvite; and it says nothing of whether
// an address has an account (ExistingAccount is false), which only sending tells.
//
// Every address new to the project (neither a member's nor a pending invitee's) that the batch
// looks up counts against the inviter's hourly cap, dry run or not, once an hour (see
// takeAddressQuota). A new invitation to an address that has had its daily cap of invite
// emails is a failed row (FAILED_TO_SEND, retryable): nothing is written or sent for it.
//
// Errors: BAD_USER_INPUT (both or neither of rows and csv, a bad file, no rows, too many),
// EMAIL_NOT_VERIFIED (the actor's email), NOT_FOUND (no such project, or not a member),
// FORBIDDEN (below ADMIN), RATE_LIMITED (the batch's new addresses would pass the inviter's
// hourly cap).
func (s *BulkService) BulkInvite(ctx context.Context, actor uuid.UUID, in BulkInput) (*BulkOutcome, error) {
	if (in.Rows == nil) == (in.CSV == nil) {
		return nil, invalid("rows", "give exactly one of rows and csv")
	}
	if err := checkRole("defaultRole", in.DefaultRole); err != nil {
		return nil, err
	}
	if _, err := requireVerifiedInviter(ctx, s.db, actor); err != nil {
		return nil, err
	}
	// Outsiders learn nothing, and their uploads are not read.
	if _, err := requireRole(ctx, s.db, in.ProjectID, actor, MinRoleToInvite); err != nil {
		return nil, err
	}
	rows, ignored, err := bulkRows(in)
	if err != nil {
		return nil, err
	}
	lang, note, err := batchWords(in)
	if err != nil {
		return nil, err
	}
	b := bulkBatch{projectID: in.ProjectID, defaultRole: in.DefaultRole, rows: rows, ignored: ignored, dryRun: in.DryRun,
		fileName: cleanFileName(in.FileName), locale: lang, acceptLang: in.AcceptLanguage, note: note}
	var p *bulkPlan
	var pv *previewRow
	err = s.inCopyTx(ctx, func(ctx context.Context, tx bun.Tx, cp copier) error {
		p, err = s.plan(ctx, tx, actor, b)
		switch {
		case err != nil:
			return err
		case in.DryRun:
			pv, err = s.storePreview(ctx, tx, p, b)
			return err
		}
		return p.write(ctx, tx, cp)
	})
	if err != nil {
		return nil, err
	}
	out := p.outcome(ignored)
	if pv != nil {
		out.PreviewID, out.PreviewExpiresAt = &pv.ID, &pv.ExpiresAt
	} else {
		s.cfg.Observer.InvitesCreated(out.Summary.NewInvitations)
	}
	return out, nil
}

// bulkBatch is a batch's input as the plan takes it, from bulkInvite or from a stored preview.
type bulkBatch struct {
	projectID   uuid.UUID
	defaultRole Role
	rows        []BulkRow
	ignored     []string
	dryRun      bool
	fileName    string
	locale      *string // of rows that name none, as given (nil: the project's default...)
	acceptLang  string  // the inviter's request's Accept-Language
	note        *string // the inviter's words
	// inviteIDs are the IDs of the invites that a preview promised, by row: a confirmation
	// creates its new invites with them.
	inviteIDs map[int]uuid.UUID
}

// plan locks the project and works out the batch's rows against it, taking the inviter's
// hourly quota for the addresses new to the project and (or, in a dry run, checking) the
// recipients' daily caps. The order of the quotas is createInvite's: the inviter's, then the
// recipients'.
func (s *BulkService) plan(ctx context.Context, tx bun.Tx, actor uuid.UUID, b bulkBatch) (*bulkPlan, error) {
	project, err := s.lockProject(ctx, tx, b.projectID)
	if err != nil {
		return nil, err
	}
	me, err := requireRole(ctx, tx, b.projectID, actor, MinRoleToInvite)
	if err != nil {
		return nil, err
	}
	if !b.dryRun {
		// Expired invites read as expired already; marking them frees their emails and
		// IDs in the unique indexes before this batch writes.
		if err := s.expireDue(ctx, tx, b.projectID, ""); err != nil {
			return nil, err
		}
	}
	p := &bulkPlan{s: s.core, project: project, actor: me, defaultRole: b.defaultRole, now: s.now(), dryRun: b.dryRun, inviteIDs: b.inviteIDs,
		fileName: b.fileName, locale: resolveLocale(b.locale, project.DefaultLocale, b.acceptLang), note: b.note}
	if err := p.make(ctx, tx, b.rows); err != nil {
		return nil, err
	}
	if err := s.takeAddressQuota(ctx, tx, actor, p.newAddresses); err != nil {
		return nil, err
	}
	if err := p.capRecipients(ctx, tx, b.dryRun); err != nil {
		return nil, err
	}
	return p, nil
}

// bulkRows returns the batch's rows, from the list or the CSV file.
func bulkRows(in BulkInput) ([]BulkRow, []string, error) {
	if in.CSV == nil {
		switch {
		case len(in.Rows) == 0:
			return nil, nil, invalid("rows", "rows is empty: give at least one row")
		case len(in.Rows) > invitecsv.MaxRows:
			return nil, nil, invalid("rows", "rows has %d rows; at most %d fit in one batch", len(in.Rows), invitecsv.MaxRows)
		}
		return in.Rows, []string{}, nil
	}
	f, err := invitecsv.Read(in.CSV)
	if csvErr, ok := errors.AsType[*invitecsv.Error](err); ok {
		return nil, nil, invalid("csv", "%s", csvErr.Message)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read the CSV upload: %w", err)
	}
	rows := make([]BulkRow, len(f.Rows))
	for i, r := range f.Rows {
		rows[i] = BulkRow{Row: r.Line, Email: r.Email, Role: r.Role, ExternalID: r.ExternalID, Name: r.Name, Locale: r.Locale}
	}
	ignored := f.IgnoredColumns
	if ignored == nil {
		ignored = []string{}
	}
	return rows, ignored, nil
}

// maxFileNameLength is the most characters of an uploaded file's name that a batch keeps.
const maxFileNameLength = 200

// cleanFileName is an uploaded file's name as the activity shows it: its last path element,
// without control characters, at most maxFileNameLength characters; "" for none.
func cleanFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name))
	if r := []rune(name); len(r) > maxFileNameLength {
		name = string(r[:maxFileNameLength])
	}
	return name
}
