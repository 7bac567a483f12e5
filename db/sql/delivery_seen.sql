-- The latest delivery of this source that loaded every one of :checksums (file contents), if any.
-- A replace_period delivery is skipped only when all its parts were loaded together: parts loaded
-- by different deliveries replaced each other's periods, so their rows are not all there.
SELECT max(load_id)
FROM app.load_log
WHERE source = :source AND status = 'loaded' AND checksum = ANY(CAST(:checksums AS text[]))
GROUP BY delivery_id
HAVING count(DISTINCT checksum) = cardinality(CAST(:checksums AS text[]))
ORDER BY 1 DESC
LIMIT 1;
