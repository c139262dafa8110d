-- Webhook deliveries go out by batches (issue 25): one job posts many of an endpoint's
-- deliveries, oldest first, instead of one job per delivery. A job claims the deliveries it is
-- about to post, so that two jobs (on two replicas, or a job and a retry) never post the same
-- delivery at once: claimed_by is the River job's id, claimed_until when the claim lapses
-- (a job that died without recording its posts leaves them to the next job after that; the
-- same job, run again by River, takes its own claims back at once). Recording an attempt
-- clears both.
ALTER TABLE webhook_deliveries ADD COLUMN claimed_by bigint;
ALTER TABLE webhook_deliveries ADD COLUMN claimed_until timestamptz;

-- The deliveries whose first attempt is still to be made, per endpoint in the order of their
-- events (the order of project.activity): what a batch claims. Small: a row leaves it with
-- its first attempt.
CREATE INDEX webhook_deliveries_unsent_idx ON webhook_deliveries (project_id, endpoint_id, created_at, event_id, id)
    WHERE status = 'PENDING' AND attempts = 0;
