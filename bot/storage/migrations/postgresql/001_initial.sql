-- PostgreSQL twin of ../001_initial.sql: same tables, same columns in the same order.
-- Discord ids are BIGINT (64-bit, like SQLite's INTEGER); times are Unix seconds in
-- DOUBLE PRECISION (SQLite's REAL); flags are 0/1 SMALLINTs so both backends read them the same
-- way. Applied by bot/storage/postgres.py inside a transaction; no BEGIN/COMMIT here.

-- One registered Horde account per Discord user. The API key is stored only as a Fernet token.
CREATE TABLE accounts (
    discord_user_id BIGINT           PRIMARY KEY,
    horde_user_id   BIGINT           NOT NULL,
    horde_username  TEXT             NOT NULL,
    apikey_token    TEXT             NOT NULL,
    created_at      DOUBLE PRECISION NOT NULL,
    updated_at      DOUBLE PRECISION NOT NULL
);

-- Per-guild moderation settings; a missing row means every default.
CREATE TABLE guild_settings (
    guild_id                 BIGINT   PRIMARY KEY,
    nsfw_only                SMALLINT NOT NULL DEFAULT 0 CHECK (nsfw_only IN (0, 1)),
    max_in_flight_per_member BIGINT   CHECK (max_in_flight_per_member > 0),
    max_length_cap           BIGINT   CHECK (max_length_cap > 0),
    cooldown_seconds         BIGINT   NOT NULL DEFAULT 0 CHECK (cooldown_seconds >= 0),
    default_model            TEXT,
    default_max_length       BIGINT   CHECK (default_max_length > 0),
    log_channel_id           BIGINT,
    updated_at               DOUBLE PRECISION NOT NULL
);

-- Channels /generate is restricted to; no rows for a guild means every channel.
CREATE TABLE guild_channels (
    guild_id   BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
);

CREATE TABLE blocked_users (
    guild_id   BIGINT           NOT NULL,
    user_id    BIGINT           NOT NULL,
    blocked_by BIGINT           NOT NULL,
    reason     TEXT,
    blocked_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
