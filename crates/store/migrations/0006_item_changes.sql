-- Chat items change after they are sent: edits, deletion for everyone (by the sender or,
-- in groups, a moderator), deletion for one viewer only, and reactions.
ALTER TABLE direct_messages ADD COLUMN edited_at BIGINT;
ALTER TABLE direct_messages ADD COLUMN deleted_at BIGINT;
ALTER TABLE group_posts ADD COLUMN edited_at BIGINT;
ALTER TABLE group_posts ADD COLUMN deleted_at BIGINT;
ALTER TABLE group_posts ADD COLUMN moderated BOOLEAN NOT NULL DEFAULT FALSE;
-- The post a group chat message answers.
ALTER TABLE group_posts ADD COLUMN quoted_id BIGINT;

-- Items one avatar deleted for itself: `kind` is `direct` or `post`.
CREATE TABLE hidden_items (
    avatar_id BIGINT NOT NULL REFERENCES avatars (id),
    kind TEXT NOT NULL,
    item_id BIGINT NOT NULL,
    PRIMARY KEY (avatar_id, kind, item_id)
);

-- What a chat client keeps about its contacts and groups (SimpleX customData): JSON,
-- seen only by the avatar that set it. `kind` is `contact` or `group`.
CREATE TABLE custom_data (
    avatar_id BIGINT NOT NULL REFERENCES avatars (id),
    kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (avatar_id, kind, target_id)
);

CREATE TABLE reactions (
    kind TEXT NOT NULL,
    item_id BIGINT NOT NULL,
    avatar_id BIGINT NOT NULL REFERENCES avatars (id),
    reaction TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (kind, item_id, avatar_id, reaction)
);
