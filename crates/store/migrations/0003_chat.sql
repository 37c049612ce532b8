-- Chat clients (the SimpleX face): chat profiles of the avatars they drive, the links
-- others connect through, and rich message content.

-- An avatar a chat client drives. `profile` is grid::chat::ChatProfile as JSON; `cursor`
-- is the last event a chat session has delivered, so a client that reconnects gets what
-- it missed.
CREATE TABLE chat_users (
    avatar_id BIGINT PRIMARY KEY REFERENCES avatars (id),
    profile TEXT NOT NULL,
    cursor BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Contact addresses, one-time invitations and group links. `token` is the secret part of
-- the link; `settings` is grid::chat::AddressSettings as JSON.
CREATE TABLE links (
    id {{id}},
    token TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    avatar_id BIGINT NOT NULL REFERENCES avatars (id),
    group_id BIGINT REFERENCES groups (id),
    settings TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX links_avatar ON links (avatar_id, kind);

-- The chat client's form of a message (SimpleX MsgContent), and the message it quotes.
ALTER TABLE direct_messages ADD COLUMN rich TEXT;
ALTER TABLE direct_messages ADD COLUMN quoted_id BIGINT;
