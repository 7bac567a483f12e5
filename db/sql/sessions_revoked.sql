-- When the user last signed out or had their password changed: a sign-in cookie issued before
-- this moment no longer signs anyone in, even if the browser kept it.
SELECT max(at)
FROM app.audit_log
WHERE (action = 'logout' AND lower(username) = lower(:username))
   OR (action = 'password_changed' AND lower(detail ->> 'user') = lower(:username));
