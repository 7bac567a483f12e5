SELECT source_id, name, kind, settings, credentials, schedule, enabled, state, created_at,
       updated_at
FROM app.source
WHERE CAST(:name AS text) IS NULL OR lower(name) = lower(:name)
ORDER BY lower(name);
