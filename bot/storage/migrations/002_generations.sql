-- Every generation from the moment the bot accepts it, so none is lost across restarts.
-- Times are Unix seconds (REAL). JSON columns hold compact JSON text.
-- interaction_token is a Fernet token (encrypted with the bot's KeyVault): it is a secret.
CREATE TABLE generations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT    NOT NULL CHECK (kind IN ('generate', 'chat')),
    state            TEXT    NOT NULL CHECK (state IN ('pending', 'submitted', 'done',
                                 'cancelled', 'faulted', 'expired', 'failed')),
    horde_id         TEXT,
    user_id          INTEGER NOT NULL,          -- the Discord user who pays
    guild_id         INTEGER,
    channel_id       INTEGER,
    application_id   INTEGER,
    interaction_token TEXT,                     -- encrypted; cleared once delivered
    message_id       INTEGER,
    private          INTEGER NOT NULL DEFAULT 0,
    prompt           TEXT    NOT NULL,
    params           TEXT    NOT NULL DEFAULT '{}',
    models           TEXT    NOT NULL DEFAULT '[]',
    options          TEXT    NOT NULL DEFAULT '{}',
    status           TEXT,                      -- last HordeStatus snapshot
    generations      TEXT    NOT NULL DEFAULT '[]',
    error_kind       TEXT,
    error_rc         TEXT,
    error_message    TEXT,
    context          TEXT    NOT NULL DEFAULT '{}',
    created_at       REAL    NOT NULL,
    submitted_at     REAL,
    finished_at      REAL,
    delivered_at     REAL,
    polled_at        REAL                       -- last time the Horde answered about it
);

CREATE INDEX generations_state ON generations (state);
CREATE INDEX generations_user_state ON generations (user_id, state);
CREATE INDEX generations_guild_user ON generations (guild_id, user_id);
CREATE INDEX generations_finished ON generations (finished_at);
