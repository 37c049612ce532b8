-- Bots that live in a remote grid (OpenSimulator, Second Life): where they log in.
-- The password is kept as the protocol sends it ($1$ + MD5), never in the clear.
CREATE TABLE remote_accounts (
    avatar_id BIGINT PRIMARY KEY REFERENCES avatars(id),
    login_uri TEXT NOT NULL,
    passwd TEXT NOT NULL,
    start_location TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
