-- PostgreSQL twin of ../004_reply_issued_at.sql: the interaction token's issue time moves from
-- the free-form context JSON to its own column.
ALTER TABLE generations ADD COLUMN issued_at DOUBLE PRECISION;
UPDATE generations
   SET issued_at = (context::jsonb ->> 'issued_at')::DOUBLE PRECISION,
       context = (context::jsonb - 'issued_at')::TEXT
 WHERE jsonb_typeof(context::jsonb -> 'issued_at') = 'number';
