-- Reach (user installs): where a reply's fallback goes, and results nobody could receive.
-- dm_fallback: the bot cannot post in the reply's channel (a DM, a group DM, a server without
-- the bot), so a result that outlives the interaction token goes to the member's DMs.
-- undelivered: the result could not be shown anywhere (token expired and Discord refused the
-- DM, 50007); the job stays stored for /history and is not delivered again at each resume.
ALTER TABLE generations ADD COLUMN dm_fallback INTEGER NOT NULL DEFAULT 0;
ALTER TABLE generations ADD COLUMN undelivered INTEGER NOT NULL DEFAULT 0;
CREATE INDEX generations_user_created ON generations (user_id, created_at);
