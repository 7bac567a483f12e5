-- A queued request that cannot run (its source was removed or disabled): closed with the reason.
UPDATE app.sync_run SET status = 'cancelled', finished = now(), error = :error
WHERE sync_run_id = :run_id AND status = 'queued';
