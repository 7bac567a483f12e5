-- "Test connection": a queued test the scheduler answers. The source's ended tests go (only the
-- latest answer is kept); asking again while one waits returns the one already queued.
WITH ended AS (
    DELETE FROM app.source_test
    WHERE source_id = :source_id AND status IN ('succeeded', 'failed')
),
queued AS (
    INSERT INTO app.source_test (source_id, source, requested_by, status)
    VALUES (:source_id, :source, :requested_by, 'queued')
    ON CONFLICT (source_id) WHERE status = 'queued' DO NOTHING
    RETURNING source_test_id
)
SELECT source_test_id FROM queued
UNION ALL
SELECT source_test_id FROM app.source_test WHERE source_id = :source_id AND status = 'queued'
LIMIT 1;
