-- Take a queued test; no row: it was answered or replaced meanwhile.
UPDATE app.source_test SET status = 'running', started = now(), runner = :runner
WHERE source_test_id = :test_id AND status = 'queued'
RETURNING source_test_id;
