-- Money. `ledger` is append-only: every transfer, never changed. `balances` holds what
-- the ledger adds up to for each avatar (no row: L$0), kept in the same transaction as
-- the ledger row, and never negative.
CREATE TABLE balances (
    avatar_id BIGINT PRIMARY KEY REFERENCES avatars (id),
    amount BIGINT NOT NULL CHECK (amount >= 0)
);

CREATE TABLE ledger (
    id {{id}},
    uuid TEXT NOT NULL UNIQUE,
    -- NULL: the operator's grant.
    from_id BIGINT REFERENCES avatars (id),
    to_id BIGINT NOT NULL REFERENCES avatars (id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    kind TEXT NOT NULL,
    comment TEXT NOT NULL,
    -- The payer's idempotency tag (SmartBots `custom`): one transfer per payer and tag.
    tag TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ledger_tag ON ledger (from_id, tag) WHERE tag IS NOT NULL;
CREATE INDEX ledger_from ON ledger (from_id);
CREATE INDEX ledger_to ON ledger (to_id);
