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

-- An owner may disband a group (SimpleX deleting a group for everyone): its members,
-- applicants, open invitations and links go, its name becomes free, and the row stays
-- so that what was said in it can still be shown.
ALTER TABLE groups ADD COLUMN disbanded_at BIGINT;
