-- PostgreSQL twin of ../005_reach.sql: where a reply's fallback goes (dm_fallback), and
-- results nobody could receive (undelivered), kept for /history.
ALTER TABLE generations ADD COLUMN dm_fallback SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE generations ADD COLUMN undelivered SMALLINT NOT NULL DEFAULT 0;
CREATE INDEX generations_user_created ON generations (user_id, created_at);
