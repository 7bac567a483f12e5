INSERT INTO app.load_log (source, file_path, file_name, file_bytes, checksum, format, status)
VALUES (:source, :file_path, :file_name, :file_bytes, :checksum, :format, :status)
RETURNING load_id;
