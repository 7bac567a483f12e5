SELECT cancel_requested FROM app.sync_run WHERE sync_run_id = :run_id;
