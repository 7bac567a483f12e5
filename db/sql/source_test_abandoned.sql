-- Tests left 'running' by a scheduler that died: a new leader answers no more for them.
UPDATE app.source_test SET status = 'failed', finished = now(), error = :error
WHERE status = 'running'
RETURNING source_test_id, source;
