-- Parcels: rectangles of a region. Every region has one covering all of it (made with
-- the region); smaller parcels made later lie on it, and a point belongs to the
-- smallest parcel holding it. The owner is an avatar, a group, or (neither) the estate.
CREATE TABLE parcels (
    id {{id}},
    uuid TEXT NOT NULL UNIQUE,
    region_id BIGINT NOT NULL REFERENCES regions (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    x1 BIGINT NOT NULL,
    y1 BIGINT NOT NULL,
    x2 BIGINT NOT NULL,
    y2 BIGINT NOT NULL,
    owner_id BIGINT REFERENCES avatars (id),
    group_id BIGINT REFERENCES groups (id),
    for_sale BOOLEAN NOT NULL,
    sale_price BIGINT NOT NULL,
    sell_to BIGINT REFERENCES avatars (id),
    sell_objects BOOLEAN NOT NULL,
    music_url TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    landing_point TEXT NOT NULL,
    landing_routing TEXT NOT NULL,
    flags BIGINT NOT NULL,
    max_prims BIGINT NOT NULL,
    claimed_at BIGINT NOT NULL
);
CREATE INDEX parcels_region ON parcels (region_id);
