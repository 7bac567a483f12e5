UPDATE app.sync_run SET attempts = attempts + 1 WHERE sync_run_id = :run_id;
