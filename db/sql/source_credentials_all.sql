SELECT source_id, credentials FROM app.source
WHERE credentials IS NOT NULL
ORDER BY source_id
FOR UPDATE;
