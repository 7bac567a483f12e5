-- Has this exact file (by content) been loaded for this source already?
SELECT load_id FROM app.load_log
WHERE source = :source AND checksum = :checksum AND status = 'loaded'
ORDER BY load_id DESC
LIMIT 1;
