SELECT sync_run_id, source, reason, requested_by, requested_at, status, started, finished,
       files_total, files, files_skipped, rows, periods, current_file, error, attempts,
       cancel_requested, runner
FROM app.sync_run
WHERE (CAST(:run_id AS bigint) IS NULL OR sync_run_id = :run_id)
  AND (CAST(:source AS text) IS NULL OR lower(source) = lower(:source))
ORDER BY sync_run_id DESC
LIMIT :limit;
