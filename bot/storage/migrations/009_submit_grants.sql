-- The submit budget shared by every bot process on one PostgreSQL database (one IP): the time
-- of each recent grant. SQLite (one process) keeps its budget in memory; the table exists so
-- both backends have the same schema.
CREATE TABLE submit_grants (
    at REAL NOT NULL
);
CREATE INDEX submit_grants_at ON submit_grants (at);
