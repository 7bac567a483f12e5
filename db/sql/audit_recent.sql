SELECT at, username, action, detail
FROM app.audit_log
WHERE (CAST(:username AS text) IS NULL OR lower(username) = lower(:username))
  AND (CAST(:action AS text) IS NULL OR action = :action)
ORDER BY at DESC, audit_id DESC
LIMIT :limit;
