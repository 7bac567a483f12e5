-- Runs left 'running' by a process that died: a live run holds its source's advisory lock, so a
-- source whose lock can be taken here has nobody running it. (Locks are re-entrant: the caller
-- may already hold the source's lock.) NULL source: all sources.
UPDATE app.sync_run SET
    status = 'failed',
    finished = now(),
    current_file = NULL,
    error = :error
WHERE status = 'running'
  AND (CAST(:source AS text) IS NULL OR source = :source)
  AND (source_id IS NULL OR pg_try_advisory_xact_lock(:lock_namespace, CAST(source_id AS integer)))
RETURNING sync_run_id, source;
