-- PostgreSQL twin of ../009_submit_grants.sql: recent submit grants of every process (server
-- clock, Unix seconds), read and written under a transaction-scoped advisory lock.
CREATE TABLE submit_grants (
    at DOUBLE PRECISION NOT NULL
);
CREATE INDEX submit_grants_at ON submit_grants (at);
