-- Runs left 'running' by a process that died. A live run holds its source's advisory lock, so a
-- source whose lock can be taken here has nobody running it; and a caller that holds the
-- source's lock itself (lock_held, on another connection) knows any running row is dead.
-- NULL source: all sources.
UPDATE app.sync_run SET
    status = 'failed',
    finished = now(),
    current_file = NULL,
    error = :error
WHERE status = 'running'
  AND (CAST(:source AS text) IS NULL OR source = :source)
  AND (
      :lock_held
      OR source_id IS NULL
      OR pg_try_advisory_xact_lock(:lock_namespace, CAST(source_id AS integer))
  )
RETURNING sync_run_id, source;
