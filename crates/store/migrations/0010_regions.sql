-- Regions the operator made. Locations stay `Region/X/Y/Z` text on the avatars (a
-- login may still name a region that is not here); teleports need the region to exist.
CREATE TABLE regions (
    id {{id}},
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    estate TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE estate_managers (
    region_id BIGINT NOT NULL REFERENCES regions (id),
    avatar_id BIGINT NOT NULL REFERENCES avatars (id),
    PRIMARY KEY (region_id, avatar_id)
);

-- Movement state: flying, and the movement a bot started with `move`.
ALTER TABLE avatars ADD COLUMN flying BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE avatars ADD COLUMN moving TEXT;

-- When a restarting region comes back (NULL while it is online).
ALTER TABLE regions ADD COLUMN restart_at BIGINT;

-- Estate access lists: `ban` keeps an avatar out; `allow` is kept for private estates.
CREATE TABLE region_access (
    region_id BIGINT NOT NULL REFERENCES regions (id),
    avatar_id BIGINT NOT NULL REFERENCES avatars (id),
    kind TEXT NOT NULL,
    PRIMARY KEY (region_id, avatar_id, kind)
);

-- Teleport offers ("lures"): where the offerer was when it offered.
CREATE TABLE teleport_offers (
    id {{id}},
    session TEXT NOT NULL UNIQUE,
    from_id BIGINT NOT NULL REFERENCES avatars (id),
    to_id BIGINT NOT NULL REFERENCES avatars (id),
    location TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    answered_at BIGINT
);
CREATE INDEX teleport_offers_to ON teleport_offers (to_id);
