-- A scheduled run that found nothing new replaces the earlier ones that found nothing, so a
-- source polled every 30 s keeps one such row instead of 2,880 a day. Runs that loaded, skipped,
-- failed or were cancelled, and every requested run, stay in the history.
DELETE FROM app.sync_run old
USING app.sync_run new
WHERE new.sync_run_id = :run_id
  AND new.status = 'succeeded' AND new.reason = 'schedule'
  AND new.files_total = 0 AND new.files = 0 AND new.files_skipped = 0
  AND old.source = new.source
  AND old.sync_run_id < new.sync_run_id
  AND old.status = 'succeeded' AND old.reason = 'schedule'
  AND old.files_total = 0 AND old.files = 0 AND old.files_skipped = 0;
