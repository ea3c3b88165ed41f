-- A server's sponsor key (/mod sponsor set): members who have not logged in pay with it there.
-- The key is stored only as a Fernet token, like members' keys. ``revoked_at`` is set once the
-- Horde stopped accepting it (401, shared key empty or expired): the key is then skipped, and
-- the log channel was told, until a moderator sets a key again.
CREATE TABLE sponsor_keys (
    guild_id       INTEGER PRIMARY KEY,
    apikey_token   TEXT    NOT NULL,
    is_shared_key  INTEGER NOT NULL CHECK (is_shared_key IN (0, 1)),
    owner_username TEXT    NOT NULL,
    set_by         INTEGER NOT NULL,
    set_at         REAL    NOT NULL,
    revoked_at     REAL
) STRICT;

-- Whose key paid for a job (own, sponsor, default): the reply words its advice for that key.
ALTER TABLE generations ADD COLUMN payer TEXT;

-- The text style a conversation was started with (/chat start style:), sent with every turn.
ALTER TABLE chat_conversations ADD COLUMN style_id TEXT;
