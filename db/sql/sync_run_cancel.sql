-- A queued run is cancelled at once; a running one stops at its next file boundary.
UPDATE app.sync_run SET
    cancel_requested = true,
    status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
    finished = CASE WHEN status = 'queued' THEN now() ELSE finished END,
    error = CASE WHEN status = 'queued' THEN 'cancelled before it started' ELSE error END
WHERE sync_run_id = :run_id AND status IN ('queued', 'running')
RETURNING status;
