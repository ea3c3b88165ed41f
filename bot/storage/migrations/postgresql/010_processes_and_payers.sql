-- PostgreSQL twin of ../010_processes_and_payers.sql: who pays a chat turn's next reply, and
-- the heartbeat row of every running bot process.
ALTER TABLE chat_turns ADD COLUMN payer_id BIGINT;

CREATE TABLE bot_processes (
    id         TEXT             PRIMARY KEY,
    owner      TEXT             NOT NULL,
    host       TEXT             NOT NULL,
    pid        INTEGER          NOT NULL,
    started_at DOUBLE PRECISION NOT NULL,
    last_seen  DOUBLE PRECISION NOT NULL
);
CREATE INDEX bot_processes_last_seen ON bot_processes (last_seen);
