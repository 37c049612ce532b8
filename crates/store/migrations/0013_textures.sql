-- Uploaded textures: the asset, and where its image is kept (a body in the files
-- folder, by SHA-256).
CREATE TABLE textures (
    asset_uuid TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    size BIGINT NOT NULL,
    lossless BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);
