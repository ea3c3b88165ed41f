-- PostgreSQL twin of ../008_job_leases.sql: the process holding each generation, and until when.
ALTER TABLE generations ADD COLUMN lease_owner TEXT;
ALTER TABLE generations ADD COLUMN lease_expires_at DOUBLE PRECISION;
UPDATE generations SET lease_expires_at = 0;
CREATE INDEX generations_lease ON generations (lease_expires_at);
