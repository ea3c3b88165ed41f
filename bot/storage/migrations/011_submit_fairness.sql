-- Fairness between members across the processes that share one submit budget (PostgreSQL):
-- which members wait in which process, and when each member was last granted a submit. SQLite
-- (one process) keeps its round robin in memory; the tables exist so both backends have the
-- same schema.
CREATE TABLE submit_waiting (
    process TEXT    NOT NULL,
    user_id INTEGER NOT NULL,
    waiting INTEGER NOT NULL,
    since   REAL    NOT NULL,
    seen    REAL    NOT NULL,
    PRIMARY KEY (process, user_id)
);
CREATE INDEX submit_waiting_seen ON submit_waiting (seen);

CREATE TABLE submit_served (
    user_id INTEGER PRIMARY KEY,
    at      REAL    NOT NULL
);
CREATE INDEX submit_served_at ON submit_served (at);
