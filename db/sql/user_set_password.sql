UPDATE app."user" SET password_hash = :password_hash, updated_at = now()
WHERE lower(username) = lower(:username);
