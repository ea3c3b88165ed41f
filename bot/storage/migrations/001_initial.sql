-- Accounts, guild settings, allowed channels and blocked users.
-- Applied by bot/storage/database.py inside a transaction; no BEGIN/COMMIT here.

-- One registered Horde account per Discord user. The API key is stored only as a Fernet token.
CREATE TABLE accounts (
    discord_user_id INTEGER PRIMARY KEY,
    horde_user_id   INTEGER NOT NULL,
    horde_username  TEXT    NOT NULL,
    apikey_token    TEXT    NOT NULL,
    created_at      REAL    NOT NULL,
    updated_at      REAL    NOT NULL
) STRICT;

-- Per-guild moderation settings; a missing row means every default.
CREATE TABLE guild_settings (
    guild_id                 INTEGER PRIMARY KEY,
    nsfw_only                INTEGER NOT NULL DEFAULT 0 CHECK (nsfw_only IN (0, 1)),
    max_in_flight_per_member INTEGER CHECK (max_in_flight_per_member > 0),
    max_length_cap           INTEGER CHECK (max_length_cap > 0),
    cooldown_seconds         INTEGER NOT NULL DEFAULT 0 CHECK (cooldown_seconds >= 0),
    default_model            TEXT,
    default_max_length       INTEGER CHECK (default_max_length > 0),
    log_channel_id           INTEGER,
    updated_at               REAL    NOT NULL
) STRICT;

-- Channels /generate is restricted to; no rows for a guild means every channel.
CREATE TABLE guild_channels (
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE blocked_users (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    blocked_by INTEGER NOT NULL,
    reason     TEXT,
    blocked_at REAL    NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) STRICT, WITHOUT ROWID;
