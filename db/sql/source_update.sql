-- NULL keeps a value. New settings reset the connector's cursor: it was about other exports.
UPDATE app.source SET
    settings = coalesce(CAST(:settings AS jsonb), settings),
    state = CASE
        WHEN CAST(:settings AS jsonb) IS DISTINCT FROM NULL
         AND CAST(:settings AS jsonb) <> settings THEN '{}'::jsonb
        ELSE state
    END,
    schedule = coalesce(:schedule, schedule),
    enabled = coalesce(:enabled, enabled),
    credentials = CASE WHEN :set_credentials THEN CAST(:credentials AS bytea) ELSE credentials END,
    updated_at = now()
WHERE lower(name) = lower(:name)
RETURNING source_id;
