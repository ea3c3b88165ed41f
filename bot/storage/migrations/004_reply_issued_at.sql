-- The interaction token's issue time gets its own column (it was a key of the free-form
-- ``context`` JSON): every piece of a job's Discord delivery data now lives in columns.
ALTER TABLE generations ADD COLUMN issued_at REAL;
UPDATE generations
   SET issued_at = json_extract(context, '$.issued_at'),
       context = json_remove(context, '$.issued_at')
 WHERE json_type(context, '$.issued_at') IN ('integer', 'real');
