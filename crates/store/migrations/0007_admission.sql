-- A group may review who joins through its links (SimpleX `memberAdmission` with
-- review "all"): such a joiner waits as an applicant, not yet a member, until a member
-- who may invite into the standing the link gives accepts or rejects it.
ALTER TABLE groups ADD COLUMN review_joins BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE group_applicants (
    group_id BIGINT NOT NULL REFERENCES groups (id),
    avatar_id BIGINT NOT NULL REFERENCES avatars (id),
    -- The standing the link gives.
    role_id BIGINT NOT NULL REFERENCES roles (id),
    -- Whose link it was.
    host_id BIGINT NOT NULL REFERENCES avatars (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, avatar_id)
);
