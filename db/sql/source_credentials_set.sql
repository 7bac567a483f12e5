UPDATE app.source SET credentials = :credentials WHERE source_id = :source_id;
