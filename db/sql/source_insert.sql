INSERT INTO app.source (name, kind, settings, credentials, schedule, enabled)
VALUES (:name, :kind, CAST(:settings AS jsonb), :credentials, :schedule, :enabled)
RETURNING source_id;
