SELECT source_test_id, source, requested_by, requested_at, status, started, finished, exports,
       waiting, listed, error
FROM app.source_test
WHERE (CAST(:test_id AS bigint) IS NULL OR source_test_id = :test_id)
  AND (CAST(:source AS text) IS NULL OR lower(source) = lower(:source))
ORDER BY source_test_id DESC
LIMIT 1;
