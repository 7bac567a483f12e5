-- "Sync now": a queued run the scheduler picks up. A source waits in the queue once; asking
-- again while it waits returns the run already queued.
WITH queued AS (
    INSERT INTO app.sync_run (source_id, source, reason, requested_by, status)
    VALUES (:source_id, :source, 'request', :requested_by, 'queued')
    ON CONFLICT (source) WHERE status = 'queued' DO NOTHING
    RETURNING sync_run_id
)
SELECT sync_run_id FROM queued
UNION ALL
SELECT sync_run_id FROM app.sync_run WHERE source = :source AND status = 'queued'
LIMIT 1;
