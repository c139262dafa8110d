package webhooks

import (
	"context"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// DrainEndpoint runs the batch job of endpointID (project projectID) on ctx, as River runs one:
// it posts the endpoint's deliveries waiting for their first attempt until none is left or ctx
// ends (then it returns River's snooze, to go on in the next run).
func (s *Service) DrainEndpoint(ctx context.Context, projectID, endpointID uuid.UUID) error {
	w := &batchWorker{s: s}
	return w.Work(ctx, &river.Job[batchArgs]{
		JobRow: &rivertype.JobRow{Kind: batchArgs{}.Kind(), Attempt: 1, MaxAttempts: river.MaxAttemptsDefault},
		Args:   batchArgs{ProjectID: projectID, EndpointID: endpointID},
	})
}
