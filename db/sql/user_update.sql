UPDATE app."user" SET role = :role, scope = CAST(:scope AS jsonb), updated_at = now()
WHERE lower(username) = lower(:username);
