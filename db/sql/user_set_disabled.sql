UPDATE app."user" SET disabled = :disabled, updated_at = now()
WHERE lower(username) = lower(:username);
