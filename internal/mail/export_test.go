package mail

import (
	"context"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"
)

// WorkChunk runs q's worker of send_emails jobs on a chunk of ids, as River runs a job of that
// kind (not started, q works only what a test asks).
func (q *Queue) WorkChunk(ctx context.Context, ids []uuid.UUID) error {
	return q.chunks.Work(ctx, &river.Job[sendEmailsArgs]{
		JobRow: &rivertype.JobRow{Kind: sendEmailsArgs{}.Kind(), Attempt: 1, MaxAttempts: chunkMaxAttempts},
		Args:   sendEmailsArgs{EmailIDs: ids},
	})
}

// ChunkSize is how many emails one send_emails job carries.
const ChunkSize = chunkSize

// RecordFailed records email id FAILED_PERMANENT as a send_email job does, telling hook, as a
// run does that loaded the row before another run wrote it.
func RecordFailed(ctx context.Context, db *bun.DB, hook FailureHook, id uuid.UUID, sendErr error) (bool, error) {
	return recordFailed(ctx, db, hook, id, sendErr, false)
}
