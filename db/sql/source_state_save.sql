UPDATE app.source SET state = CAST(:state AS jsonb) WHERE source_id = :source_id;
