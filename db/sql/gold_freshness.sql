SELECT source, last_loaded_at, last_charge_date, files_loaded, last_failed_at, last_error
FROM gold.source_freshness
ORDER BY source;
