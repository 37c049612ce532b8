-- Groups for chat clients: members blocked for all by a moderator, and the chat
-- client's rich form of a group chat message (SimpleX MsgContent).
ALTER TABLE group_members ADD COLUMN blocked BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE group_posts ADD COLUMN rich TEXT;
CREATE INDEX links_group ON links (group_id);
