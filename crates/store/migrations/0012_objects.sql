-- Objects in regions, each with an owner and a built-in behaviour (JSON: greeter,
-- tip jar, chair, vendor, inviter or plain).
CREATE TABLE world_objects (
    id {{id}},
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES avatars (id),
    region_id BIGINT NOT NULL REFERENCES regions (id),
    x DOUBLE PRECISION NOT NULL,
    y DOUBLE PRECISION NOT NULL,
    z DOUBLE PRECISION NOT NULL,
    behaviour TEXT NOT NULL,
    -- How many prims its link set has (the root is link 1).
    links BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX world_objects_region ON world_objects (region_id);

-- The object an avatar sits on.
ALTER TABLE avatars ADD COLUMN sitting_on BIGINT REFERENCES world_objects (id);

-- An object's owner URL: a callback registration following the owner's log for the
-- object's own events (touch, payment, sitting, dialog answers, chat on a channel).
ALTER TABLE callbacks ADD COLUMN object_id BIGINT REFERENCES world_objects (id);

-- Items put into an object (`inventory_to_prim`): owned by the object's owner, in no
-- folder, until the object leaves the world (they go to Lost And Found).
ALTER TABLE inventory_items ADD COLUMN object_id BIGINT REFERENCES world_objects (id);

-- An object item's link set size, kept when an object is taken into inventory.
ALTER TABLE inventory_items ADD COLUMN links BIGINT NOT NULL DEFAULT 1;
