INSERT INTO app.allocation_rule (name, tag_key, pool_value, method, percentages)
VALUES (:name, :tag_key, :pool_value, :method, CAST(:percentages AS jsonb))
ON CONFLICT (name) DO UPDATE SET
    tag_key = EXCLUDED.tag_key,
    pool_value = EXCLUDED.pool_value,
    method = EXCLUDED.method,
    percentages = EXCLUDED.percentages,
    updated_at = now()
RETURNING rule_id;
