-- botgrid foundation: avatars, developers and bot access, friendships, direct messages,
-- the durable event log and HTTP callback registrations.
--
-- Written once for SQLite and PostgreSQL: {{id}} becomes each database's auto-increasing
-- 64-bit primary key; every other type is BIGINT, BOOLEAN or TEXT. UUIDs are stored as
-- lower-case TEXT, times as BIGINT milliseconds since the Unix epoch.

CREATE TABLE developers (
    id {{id}},
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE avatars (
    id {{id}},
    uuid TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    presence TEXT NOT NULL,
    presence_seq BIGINT NOT NULL,
    location TEXT,
    home TEXT,
    about TEXT NOT NULL,
    image TEXT,
    first_life_text TEXT NOT NULL,
    first_life_image TEXT,
    url TEXT NOT NULL,
    partner_id BIGINT REFERENCES avatars (id),
    born_at BIGINT NOT NULL
);

CREATE TABLE bots (
    avatar_id BIGINT PRIMARY KEY REFERENCES avatars (id),
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE bot_tokens (
    id {{id}},
    bot_id BIGINT NOT NULL REFERENCES bots (avatar_id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX bot_tokens_bot ON bot_tokens (bot_id);

CREATE TABLE picks (
    id {{id}},
    uuid TEXT NOT NULL UNIQUE,
    avatar_id BIGINT NOT NULL REFERENCES avatars (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL
);
CREATE INDEX picks_avatar ON picks (avatar_id, id);

-- One row per direction: the rights avatar_id grants friend_id.
CREATE TABLE friendships (
    avatar_id BIGINT NOT NULL REFERENCES avatars (id),
    friend_id BIGINT NOT NULL REFERENCES avatars (id),
    see_online BOOLEAN NOT NULL,
    see_on_map BOOLEAN NOT NULL,
    modify_objects BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (avatar_id, friend_id)
);

CREATE TABLE friend_offers (
    id {{id}},
    session TEXT NOT NULL UNIQUE,
    from_id BIGINT NOT NULL REFERENCES avatars (id),
    to_id BIGINT NOT NULL REFERENCES avatars (id),
    message TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX friend_offers_pair ON friend_offers (from_id, to_id);

CREATE TABLE direct_messages (
    id {{id}},
    from_id BIGINT NOT NULL REFERENCES avatars (id),
    to_id BIGINT NOT NULL REFERENCES avatars (id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX direct_messages_pair ON direct_messages (from_id, to_id, id);

-- The durable event log: what each avatar's faces are to receive, in order.
CREATE TABLE events (
    id {{id}},
    avatar_id BIGINT NOT NULL REFERENCES avatars (id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_avatar ON events (avatar_id, id);

-- Events held for an avatar that was offline; moved to the log when it comes online.
CREATE TABLE pending_events (
    id {{id}},
    avatar_id BIGINT NOT NULL REFERENCES avatars (id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX pending_events_avatar ON pending_events (avatar_id, id);

CREATE TABLE callbacks (
    id {{id}},
    bot_id BIGINT NOT NULL REFERENCES bots (avatar_id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    cursor BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX callbacks_bot ON callbacks (bot_id);

CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
