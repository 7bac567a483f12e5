INSERT INTO app.sync_run (source_id, source, reason, status, started, attempts, runner)
VALUES (:source_id, :source, :reason, 'running', now(), 1, :runner)
RETURNING sync_run_id;
