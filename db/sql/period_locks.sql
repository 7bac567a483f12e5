-- Lock (source, billing period) keys for the rest of the transaction, in one order within the
-- statement. The keys' text is hashed into the one-bigint advisory lock space, which no other
-- Cloudlens lock keyed by two integers shares (load rows, sources).
SELECT pg_advisory_xact_lock(hashtextextended('cloudlens.load:' || k, 0))
FROM unnest(CAST(:keys AS text[])) AS k
ORDER BY k;
