-- Leases: each unfinished (or undelivered) generation is held by one bot process, which renews
-- the lease while it lives; another process may claim it once lease_expires_at has passed.
-- lease_owner is a random id per process start. Rows from before this migration start expired,
-- so the next process to start picks them up at once.
ALTER TABLE generations ADD COLUMN lease_owner TEXT;
ALTER TABLE generations ADD COLUMN lease_expires_at REAL;
UPDATE generations SET lease_expires_at = 0;
CREATE INDEX generations_lease ON generations (lease_expires_at);
