-- A part's row, before its load starts. The parts of one delivery share :delivery_id (from
-- delivery_new.sql); a row given none is a delivery of its own.
INSERT INTO app.load_log (
    source, file_path, file_name, file_bytes, checksum, format, status, delivery_id, mode
)
VALUES (
    :source, :file_path, :file_name, :file_bytes, :checksum, :format, :status,
    coalesce(CAST(:delivery_id AS bigint), nextval('app.delivery_id_seq')), :mode
)
RETURNING load_id;
