-- Signed callbacks: each registration's signing secret (Standard Webhooks `whsec_…`),
-- and the one it replaced, still valid until `previous_until` (ms) so receivers can
-- switch over.
ALTER TABLE callbacks ADD COLUMN signing_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE callbacks ADD COLUMN previous_secret TEXT;
ALTER TABLE callbacks ADD COLUMN previous_until BIGINT;

-- Deliveries that failed at least once: `retrying` while retries go on, `dead` once
-- the retry horizon has passed, `replay` when an operator asked for another try. A
-- delivered event has no row.
CREATE TABLE callback_failures (
    callback_id BIGINT NOT NULL REFERENCES callbacks (id),
    event_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    first_attempt_at BIGINT NOT NULL,
    last_attempt_at BIGINT NOT NULL,
    last_error TEXT NOT NULL,
    PRIMARY KEY (callback_id, event_id)
);
CREATE INDEX callback_failures_state ON callback_failures (state, callback_id);
