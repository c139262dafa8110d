package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Outbox is emails made ready to queue (Queue.Prepare), in two steps within one transaction:
// their rows' INSERT (Rows), which a caller may run as a data-modifying CTE of a statement of
// its own, so that an email costs its transaction no statement of its own; then Send, the jobs
// that send them. Enqueue does both; every email is queued this way.
type Outbox struct {
	// IDs are the emails' ids, in the order of the messages.
	IDs  []uuid.UUID
	ms   []Message
	jobs *Queue
}

// Prepare gives ms their ids and returns them ready to queue.
func (q *Queue) Prepare(ms ...Message) (*Outbox, error) {
	ids := make([]uuid.UUID, len(ms))
	for i := range ms {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, fmt.Errorf("mail: email id: %w", err)
		}
		ids[i] = id
	}
	return &Outbox{IDs: ids, ms: ms, jobs: q}, nil
}

// insertEmails writes the emails rows from one array per column (?0 to ?5, and ?8), with
// the status ?6, where the condition ?7 holds.
const insertEmails = `INSERT INTO emails (project_id, id, kind, recipient, subject, params, link, status, created_at, updated_at)
SELECT project_id::uuid, id::uuid, kind, recipient, subject, params::jsonb, link, ?6, now(), now()
FROM unnest(?8::text[], ?0::text[], ?1::text[], ?2::text[], ?3::text[], ?4::text[], ?5::text[])
    AS e(project_id, id, kind, recipient, subject, params, link)
WHERE ?7`

// Rows is the INSERT of the emails rows, QUEUED, on db. onlyIf is an SQL condition on the
// caller's statement (its other CTEs, say "EXISTS (SELECT 1 FROM m)") under which the rows are
// written, "" for always: the caller then sends (Send) only if they were. A message whose
// params cannot be encoded makes the query fail.
func (o *Outbox) Rows(db bun.IDB, onlyIf string) *bun.RawQuery {
	if onlyIf == "" {
		onlyIf = "true"
	}
	cols := newOutboxColumns(len(o.ms))
	for i, m := range o.ms {
		if err := cols.add(o.IDs[i], m); err != nil {
			return db.NewRaw(insertEmails).Err(err)
		}
	}
	return db.NewRaw(insertEmails, pgdialect.Array(cols.id), pgdialect.Array(cols.kind), pgdialect.Array(cols.recipient),
		pgdialect.Array(cols.subject), pgdialect.Array(cols.params), pgdialect.Array(cols.link), string(StatusQueued), bun.Safe(onlyIf), pgdialect.Array(cols.project))
}

// Send inserts, in tx, the jobs that send the emails, one per chunkSize of them: tx must have
// written their rows (Rows), and a commit then always leads to a send. An email that fails for
// a reason that may pass is retried with backoff, MaxAttempts times in all, each attempt's
// outcome recorded on its row.
func (o *Outbox) Send(ctx context.Context, tx bun.Tx) error {
	jobs := make([]river.InsertManyParams, 0, (len(o.IDs)+chunkSize-1)/chunkSize)
	for chunk := range slices.Chunk(o.IDs, chunkSize) {
		jobs = append(jobs, river.InsertManyParams{
			Args:       sendEmailsArgs{EmailIDs: chunk},
			InsertOpts: &river.InsertOpts{MaxAttempts: chunkMaxAttempts},
		})
	}
	if err := o.jobs.jobs.InsertMany(ctx, tx, jobs); err != nil {
		return fmt.Errorf("mail: insert send jobs: %w", err)
	}
	return nil
}

// outboxColumnNames are the emails columns that copyRows copies, in the order of its rows.
var outboxColumnNames = []string{"project_id", "id", "kind", "recipient", "subject", "params", "link", "status", "created_at", "updated_at"}

// copyRows writes the emails rows, QUEUED, with copyFrom, which writes in the caller's
// transaction.
func (o *Outbox) copyRows(ctx context.Context, copyFrom CopyFunc) error {
	// The process's clock, where the INSERT takes the transaction's: asking the database
	// would cost a statement.
	now := pgtype.Timestamptz{Time: time.Now(), Valid: true}
	// Each row is made as pgx encodes it, into one set of values: pointers to pgtype values,
	// which pgx encodes without boxing them again. A bulk invite's messages mostly share their
	// params, which are marshalled again only when they differ from the previous message's.
	var project, id pgtype.UUID
	var kind, to, subject, link pgtype.Text
	var params map[string]string
	values := []any{&project, &id, &kind, &to, &subject, nil, &link, string(StatusQueued), &now, &now}
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(o.ms) {
			return nil, nil
		}
		m := &o.ms[i]
		if i == 0 || !maps.Equal(m.Params, params) {
			b, err := json.Marshal(m.Params)
			if err != nil {
				return nil, fmt.Errorf("mail: email params: %w", err)
			}
			values[5], params = b, m.Params
		}
		project, id = pgtype.UUID{Bytes: m.ProjectID, Valid: true}, pgtype.UUID{Bytes: o.IDs[i], Valid: true}
		kind, to = pgtype.Text{String: m.Kind, Valid: true}, pgtype.Text{String: m.To, Valid: true}
		subject, link = pgtype.Text{String: m.Subject, Valid: true}, pgtype.Text{String: m.Link, Valid: true}
		i++
		return values, nil
	})
	return copyFrom(ctx, "emails", outboxColumnNames, src)
}

// outboxColumns holds emails column by column, as insertEmails takes them.
type outboxColumns struct {
	project, id, kind, recipient, subject, params, link []string
}

func newOutboxColumns(n int) *outboxColumns {
	col := func() []string { return make([]string, 0, n) }
	return &outboxColumns{col(), col(), col(), col(), col(), col(), col()}
}

func (c *outboxColumns) add(id uuid.UUID, m Message) error {
	params, err := json.Marshal(m.Params)
	if err != nil {
		return fmt.Errorf("mail: email params: %w", err)
	}
	c.project = append(c.project, m.ProjectID.String())
	c.id = append(c.id, id.String())
	c.kind = append(c.kind, m.Kind)
	c.recipient = append(c.recipient, m.To)
	c.subject = append(c.subject, m.Subject)
	c.params = append(c.params, string(params))
	c.link = append(c.link, m.Link)
	return nil
}
