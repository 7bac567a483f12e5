SELECT sync_run_id, source FROM app.sync_run WHERE status = 'queued' ORDER BY sync_run_id;
