-- The scheduler that holds the leadership lock (a session-level advisory lock on a bigint key:
-- pg_locks splits it into classid, the high 32 bits, and objid, the low ones), as it named its
-- connection. No row: no scheduler is running.
SELECT a.application_name, a.backend_start
FROM pg_locks l
JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory'
  AND l.granted
  AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.classid = CAST(:key >> 32 AS oid)
  AND l.objid = CAST(:key & 4294967295 AS oid);
