-- PostgreSQL twin of ../006_sponsor_keys.sql: servers' sponsor keys (Fernet tokens only),
-- whose key paid for a job, and the text style a conversation was started with.
-- (Written on branch r13b before the PostgreSQL backend was merged: the lead checks it with
-- the backend's migration runner at merge.)
CREATE TABLE sponsor_keys (
    guild_id       BIGINT           PRIMARY KEY,
    apikey_token   TEXT             NOT NULL,
    is_shared_key  SMALLINT         NOT NULL CHECK (is_shared_key IN (0, 1)),
    owner_username TEXT             NOT NULL,
    set_by         BIGINT           NOT NULL,
    set_at         DOUBLE PRECISION NOT NULL,
    revoked_at     DOUBLE PRECISION
);

ALTER TABLE generations ADD COLUMN payer TEXT;

ALTER TABLE chat_conversations ADD COLUMN style_id TEXT;
