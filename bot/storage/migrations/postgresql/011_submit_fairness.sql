-- PostgreSQL twin of ../011_submit_fairness.sql: the members waiting in each process (refreshed
-- while they wait; rows not seen for a few seconds are a dead process's and are ignored) and
-- each member's last grant across every process (server clock, Unix seconds). Read and written
-- under the submit budget's transaction-scoped advisory lock.
CREATE TABLE submit_waiting (
    process TEXT             NOT NULL,
    user_id BIGINT           NOT NULL,
    waiting INTEGER          NOT NULL,
    since   DOUBLE PRECISION NOT NULL,
    seen    DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (process, user_id)
);
CREATE INDEX submit_waiting_seen ON submit_waiting (seen);

CREATE TABLE submit_served (
    user_id BIGINT           PRIMARY KEY,
    at      DOUBLE PRECISION NOT NULL
);
CREATE INDEX submit_served_at ON submit_served (at);
