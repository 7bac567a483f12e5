-- Every source data comes from: the configured ones (app.source: kind and schedule, even before
-- their first load) and those only loaded from the command line (kind and schedule NULL).
SELECT COALESCE(f.source, s.name) AS source,
       s.kind,
       s.schedule,
       f.last_loaded_at,
       f.last_charge_date,
       COALESCE(f.files_loaded, 0) AS files_loaded,
       f.last_failed_at,
       f.last_error
FROM gold.source_freshness f
FULL JOIN app.source s ON lower(s.name) = lower(f.source)
ORDER BY lower(COALESCE(f.source, s.name));
