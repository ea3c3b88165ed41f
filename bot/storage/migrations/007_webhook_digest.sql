-- Webhook mode: the SHA-256 of a job's secret webhook path (the path itself is never stored),
-- so a restart still recognises the Horde's call for a job submitted before it.
ALTER TABLE generations ADD COLUMN webhook_digest TEXT;
