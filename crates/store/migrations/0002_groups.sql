-- Groups: roles and powers, memberships, invitations, bans, chat and notices, and the
-- Simple Groups API's security code, serving bot and callbacks.

CREATE TABLE groups (
    id {{id}},
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    charter TEXT NOT NULL,
    insignia TEXT,
    open_enrollment BOOLEAN NOT NULL,
    fee BIGINT NOT NULL,
    mature BOOLEAN NOT NULL,
    founder_id BIGINT NOT NULL REFERENCES avatars (id),
    created_at BIGINT NOT NULL,
    -- Argon2id of the lower-case SHA-1 hex of the Simple Groups security code, so that
    -- both `secret` and `secret_sha1` can be checked against it.
    security_hash TEXT,
    serving_bot_id BIGINT REFERENCES bots (avatar_id)
);

-- Role UUIDs are unique within a group: every Everyone role has the zero UUID.
CREATE TABLE roles (
    id {{id}},
    group_id BIGINT NOT NULL REFERENCES groups (id),
    uuid TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    powers BIGINT NOT NULL,
    UNIQUE (group_id, uuid),
    UNIQUE (group_id, name_key)
);

-- post_cursor: the last post (by sent_seq) this member has had, maintained when the
-- member joins, logs in and logs out; while it is online, posts reach it directly.
CREATE TABLE group_members (
    group_id BIGINT NOT NULL REFERENCES groups (id),
    avatar_id BIGINT NOT NULL REFERENCES avatars (id),
    active_role_id BIGINT NOT NULL REFERENCES roles (id),
    in_profile BOOLEAN NOT NULL,
    accept_notices BOOLEAN NOT NULL,
    post_cursor BIGINT NOT NULL,
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, avatar_id)
);
CREATE INDEX group_members_avatar ON group_members (avatar_id);

CREATE TABLE member_roles (
    group_id BIGINT NOT NULL,
    avatar_id BIGINT NOT NULL,
    role_id BIGINT NOT NULL REFERENCES roles (id),
    PRIMARY KEY (group_id, avatar_id, role_id),
    FOREIGN KEY (group_id, avatar_id) REFERENCES group_members (group_id, avatar_id)
);
CREATE INDEX member_roles_role ON member_roles (role_id);

ALTER TABLE avatars ADD COLUMN active_group_id BIGINT REFERENCES groups (id);

CREATE TABLE group_invitations (
    id {{id}},
    session TEXT NOT NULL UNIQUE,
    group_id BIGINT NOT NULL REFERENCES groups (id),
    role_id BIGINT NOT NULL REFERENCES roles (id),
    invitee_id BIGINT NOT NULL REFERENCES avatars (id),
    inviter_id BIGINT NOT NULL REFERENCES avatars (id),
    fee BIGINT NOT NULL,
    message TEXT NOT NULL,
    -- Statistics the Simple Groups API records (`location`, `misc`).
    location TEXT,
    misc TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    answered_at BIGINT,
    accepted BOOLEAN
);
CREATE INDEX group_invitations_invitee ON group_invitations (group_id, invitee_id, created_at);

CREATE TABLE group_bans (
    group_id BIGINT NOT NULL REFERENCES groups (id),
    avatar_id BIGINT NOT NULL REFERENCES avatars (id),
    by_id BIGINT NOT NULL REFERENCES avatars (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, avatar_id)
);

-- Group chat and notices, stored once. A post waits (sent_at NULL) while its sender is
-- offline or, for paced notices, until send_after; sent_seq orders posts in the order
-- they were sent, which is what member cursors follow.
CREATE TABLE group_posts (
    id {{id}},
    uuid TEXT NOT NULL UNIQUE,
    group_id BIGINT NOT NULL REFERENCES groups (id),
    kind TEXT NOT NULL,
    sender_id BIGINT NOT NULL REFERENCES avatars (id),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    attachment TEXT,
    created_at BIGINT NOT NULL,
    send_after BIGINT NOT NULL,
    sent_at BIGINT,
    sent_seq BIGINT
);
CREATE INDEX group_posts_sent ON group_posts (group_id, sent_seq);
CREATE INDEX group_posts_waiting ON group_posts (sender_id, sent_at);

-- A log entry for a group post carries the post instead of a body.
ALTER TABLE events ADD COLUMN post_id BIGINT REFERENCES group_posts (id);

-- Simple Groups API callbacks: registrations of a group's serving bot, one per app.
-- retire_after: the event after which the registration is removed (its callback_removed).
ALTER TABLE callbacks ADD COLUMN group_id BIGINT REFERENCES groups (id);
ALTER TABLE callbacks ADD COLUMN app_uuid TEXT;
ALTER TABLE callbacks ADD COLUMN app_name TEXT;
ALTER TABLE callbacks ADD COLUMN retire_after BIGINT;
CREATE UNIQUE INDEX callbacks_bot_url ON callbacks (bot_id, url) WHERE group_id IS NULL;
CREATE UNIQUE INDEX callbacks_group_app ON callbacks (group_id, app_uuid) WHERE group_id IS NOT NULL AND retire_after IS NULL;
