SELECT source_test_id, source FROM app.source_test WHERE status = 'queued' ORDER BY source_test_id;
