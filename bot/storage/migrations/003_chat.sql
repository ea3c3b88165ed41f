-- /chat: per-guild personas, conversations bound to threads, and their turns.
-- Times are Unix seconds (REAL).
CREATE TABLE chat_personas (
    guild_id      INTEGER NOT NULL,
    name          TEXT    NOT NULL,             -- as typed; unique per guild ignoring case
    system_text   TEXT    NOT NULL,
    greeting      TEXT,
    default_model TEXT,
    created_by    INTEGER NOT NULL,
    updated_at    REAL    NOT NULL,
    PRIMARY KEY (guild_id, name COLLATE NOCASE)
);

CREATE TABLE chat_conversations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id      INTEGER,
    thread_id     INTEGER NOT NULL UNIQUE,
    parent_id     INTEGER,
    owner_id      INTEGER NOT NULL,
    persona_name  TEXT    NOT NULL,
    system_text   TEXT    NOT NULL,             -- copied: editing a persona keeps old chats intact
    model         TEXT,
    private       INTEGER NOT NULL DEFAULT 0,
    active        INTEGER NOT NULL DEFAULT 1,   -- 0 once ended (thread archived)
    created_at    REAL    NOT NULL,
    updated_at    REAL    NOT NULL
);

-- role 'user': reply_state pending → running → answered; role 'assistant': the bot's reply.
CREATE TABLE chat_turns (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
    role            TEXT    NOT NULL CHECK (role IN ('user', 'assistant')),
    author_id       INTEGER,
    author_name     TEXT    NOT NULL,
    message_id      INTEGER,                    -- the Discord message holding this turn
    content         TEXT    NOT NULL,
    reply_state     TEXT    CHECK (reply_state IN ('pending', 'running', 'answered')),
    job_id          INTEGER,                    -- engine job answering (user) / producing (assistant)
    reply_to        INTEGER,                    -- assistant: the user turn it answers
    created_at      REAL    NOT NULL
);

CREATE INDEX chat_turns_conversation ON chat_turns (conversation_id, id);
CREATE INDEX chat_turns_message ON chat_turns (message_id);
CREATE UNIQUE INDEX chat_turns_job_assistant ON chat_turns (job_id) WHERE role = 'assistant';
CREATE INDEX chat_conversations_updated ON chat_conversations (updated_at);

-- Servers where /chat was switched off (absent: on).
CREATE TABLE chat_guild_settings (
    guild_id   INTEGER PRIMARY KEY,
    enabled    INTEGER NOT NULL DEFAULT 1,
    updated_at REAL    NOT NULL
);
