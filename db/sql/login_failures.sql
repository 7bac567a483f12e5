-- Failed logins per user inside the lockout window, counting only those after the user's last
-- successful login (a success clears the slate).
SELECT lower(f.username) AS username, count(*) AS failures
FROM app.audit_log f
WHERE f.action = 'login_failed'
  AND f.at > now() - make_interval(mins => :window_minutes)
  AND f.at > coalesce((
        SELECT max(s.at) FROM app.audit_log s
        WHERE s.action = 'login' AND lower(s.username) = lower(f.username)
      ), '-infinity')
GROUP BY 1;
