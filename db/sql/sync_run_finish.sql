UPDATE app.sync_run SET
    status = :status,
    finished = now(),
    current_file = NULL,
    error = :error
WHERE sync_run_id = :run_id AND status = 'running';
