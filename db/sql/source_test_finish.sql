UPDATE app.source_test SET
    status = :status,
    finished = now(),
    exports = :exports,
    waiting = :waiting,
    listed = CAST(:listed AS jsonb),
    error = :error
WHERE source_test_id = :test_id AND status = 'running';
