-- When each source's last successful sync started: its schedule counts from there.
SELECT source, max(started) AS started
FROM app.sync_run
WHERE status = 'succeeded'
GROUP BY source;
