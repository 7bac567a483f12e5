SELECT username, name, email, password_hash, role, scope, disabled, created_at, updated_at
FROM app."user"
ORDER BY lower(username);
