-- Inventory: each avatar's folders and items. An item is the avatar's entry (its UUID)
-- pointing at an asset; copies share the asset. Offered items and folders belong to the
-- recipient already but sit in no folder until the offer is answered.
CREATE TABLE inventory_folders (
    id {{id}},
    uuid TEXT NOT NULL UNIQUE,
    owner_id BIGINT NOT NULL REFERENCES avatars (id),
    parent_id BIGINT REFERENCES inventory_folders (id),
    name TEXT NOT NULL,
    -- The system folder it is (`root`, `current_outfit`, `notecards`, …); NULL for the
    -- owner's own folders.
    system TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX inventory_folders_parent ON inventory_folders (owner_id, parent_id);
CREATE UNIQUE INDEX inventory_folders_system ON inventory_folders (owner_id, system)
    WHERE system IS NOT NULL;

CREATE TABLE inventory_items (
    id {{id}},
    uuid TEXT NOT NULL UNIQUE,
    owner_id BIGINT NOT NULL REFERENCES avatars (id),
    folder_id BIGINT REFERENCES inventory_folders (id),
    asset_type TEXT NOT NULL,
    wearable TEXT,
    asset_uuid TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    creator_id BIGINT REFERENCES avatars (id),
    perms BIGINT NOT NULL,
    next_perms BIGINT NOT NULL,
    worn BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);
CREATE INDEX inventory_items_folder ON inventory_items (folder_id);
CREATE INDEX inventory_items_owner ON inventory_items (owner_id, worn);

-- Notecard texts by asset: copies share one until an edit makes a new asset.
CREATE TABLE notecards (
    asset_uuid TEXT PRIMARY KEY,
    body TEXT NOT NULL
);

-- Offers of an item or a folder (with its items) from one avatar to another.
CREATE TABLE inventory_offers (
    id {{id}},
    session TEXT NOT NULL UNIQUE,
    from_id BIGINT NOT NULL REFERENCES avatars (id),
    to_id BIGINT NOT NULL REFERENCES avatars (id),
    -- The offered entry (in the recipient's name): an item or a folder.
    item_id BIGINT REFERENCES inventory_items (id),
    folder_id BIGINT REFERENCES inventory_folders (id),
    created_at BIGINT NOT NULL,
    answered_at BIGINT
);
CREATE INDEX inventory_offers_to ON inventory_offers (to_id, answered_at);

-- Offered items that were moved, not copied (no copy permission): a declined offer
-- gives them back.
CREATE TABLE inventory_offer_moves (
    offer_id BIGINT NOT NULL REFERENCES inventory_offers (id),
    item_id BIGINT NOT NULL REFERENCES inventory_items (id),
    PRIMARY KEY (offer_id, item_id)
);
