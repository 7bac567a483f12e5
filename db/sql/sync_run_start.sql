INSERT INTO app.sync_run (source_id, source, reason, requested_by, status, started, attempts, runner)
VALUES (:source_id, :source, :reason, :requested_by, 'running', now(), 1, :runner)
RETURNING sync_run_id;
