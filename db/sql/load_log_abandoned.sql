-- Loads left 'running' by a process that died (kill -9, a lost machine). A live load holds its
-- row's advisory lock for its whole transaction, so a lock this statement can take belongs to
-- nobody: that load's transaction ended without committing, and kept nothing.
WITH running AS MATERIALIZED (
    SELECT load_id FROM app.load_log WHERE status = 'running'
)
UPDATE app.load_log l
SET status = 'failed',
    finished_at = clock_timestamp(),
    error = 'the loading process stopped before it finished; nothing of this file was kept'
FROM running r
WHERE l.load_id = r.load_id
  AND pg_try_advisory_xact_lock(:lock_class, (r.load_id % 2147483647)::int)
RETURNING l.load_id;
