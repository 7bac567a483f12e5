-- Start a queued run: the one asked for, or (run_id NULL) the source's waiting request, so a
-- scheduled run also answers a "Sync now" made meanwhile. No row: nothing was waiting.
UPDATE app.sync_run SET
    status = 'running',
    source_id = :source_id,
    started = now(),
    attempts = 1,
    runner = :runner
WHERE sync_run_id = (
    SELECT sync_run_id FROM app.sync_run
    WHERE source = :source
      AND status = 'queued'
      AND (CAST(:run_id AS bigint) IS NULL OR sync_run_id = :run_id)
    ORDER BY sync_run_id
    LIMIT 1
    FOR UPDATE
)
RETURNING sync_run_id;
