INSERT INTO app.audit_log (username, action, detail)
VALUES (:username, :action, CAST(:detail AS jsonb));
