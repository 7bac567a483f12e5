-- NULL keeps a value.
UPDATE app.sync_run SET
    files_total = coalesce(:files_total, files_total),
    files = coalesce(:files, files),
    files_skipped = coalesce(:files_skipped, files_skipped),
    rows = coalesce(:rows, rows),
    periods = coalesce(CAST(:periods AS date[]), periods),
    current_file = CASE WHEN :set_current_file THEN :current_file ELSE current_file END
WHERE sync_run_id = :run_id;
