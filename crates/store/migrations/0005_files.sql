-- Files sent with chat messages. A file's body lives in the files folder, named by its
-- SHA-256 (`digest`); the row is written only once the body is on disk and synced.
CREATE TABLE files (
    id {{id}},
    owner_id BIGINT NOT NULL REFERENCES avatars (id),
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    digest TEXT NOT NULL,
    cancelled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);

-- What a recipient did with a file: `received` (into `path`) or `refused`.
CREATE TABLE file_receipts (
    file_id BIGINT NOT NULL REFERENCES files (id),
    avatar_id BIGINT NOT NULL REFERENCES avatars (id),
    status TEXT NOT NULL,
    path TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (file_id, avatar_id)
);

ALTER TABLE direct_messages ADD COLUMN file_id BIGINT REFERENCES files (id);
ALTER TABLE group_posts ADD COLUMN file_id BIGINT REFERENCES files (id);
CREATE INDEX direct_messages_file ON direct_messages (file_id);
CREATE INDEX group_posts_file ON group_posts (file_id);
