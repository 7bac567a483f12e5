-- Only when no sync of it is running (that sync holds the source's advisory lock). Its runs stay
-- in app.sync_run, and the data it loaded stays in bronze and gold.
DELETE FROM app.source
WHERE source_id = :source_id
  AND pg_try_advisory_xact_lock(:lock_namespace, CAST(source_id AS integer))
RETURNING source_id;
