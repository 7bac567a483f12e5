INSERT INTO app."user" (username, name, email, password_hash, role, scope)
VALUES (:username, :name, :email, :password_hash, :role, CAST(:scope AS jsonb))
RETURNING user_id;
