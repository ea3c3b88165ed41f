-- Nothing another process needs lives in one process's memory.
-- payer_id: the member who pressed Regenerate / Continue on a chat reply pays for the turn's
-- next reply (NULL: its author), so a restart or another process submitting it bills them.
ALTER TABLE chat_turns ADD COLUMN payer_id INTEGER;

-- One row per running bot process, renewed on the lease cadence and removed on a clean stop;
-- /mod status lists those seen within JOB_LEASE_SECONDS. id is random per start; owner is the
-- lease owner (its shards), which the generations it holds carry in lease_owner.
CREATE TABLE bot_processes (
    id         TEXT    PRIMARY KEY,
    owner      TEXT    NOT NULL,
    host       TEXT    NOT NULL,
    pid        INTEGER NOT NULL,
    started_at REAL    NOT NULL,
    last_seen  REAL    NOT NULL
);
CREATE INDEX bot_processes_last_seen ON bot_processes (last_seen);
