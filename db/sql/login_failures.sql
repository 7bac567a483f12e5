-- Failed sign-ins per user and client address (NULL: Streamlit gave none, as on localhost)
-- inside the lockout window, counting only those after the user's last successful sign-in and
-- after an admin last unlocked the user (either clears the slate). Counted per address, so
-- one client's guesses lock that client out, not the user everywhere.
SELECT lower(f.username) AS username, f.detail ->> 'address' AS address, count(*) AS failures
FROM app.audit_log f
WHERE f.action = 'login_failed'
  AND f.username IS NOT NULL
  AND f.at > now() - make_interval(mins => :window_minutes)
  AND f.at > coalesce((
        SELECT max(s.at) FROM app.audit_log s
        WHERE s.action = 'login' AND lower(s.username) = lower(f.username)
      ), '-infinity')
  AND f.at > coalesce((
        SELECT max(u.at) FROM app.audit_log u
        WHERE u.action = 'login_unlocked' AND lower(u.detail ->> 'user') = lower(f.username)
      ), '-infinity')
GROUP BY 1, 2;
