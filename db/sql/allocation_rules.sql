SELECT rule_id, name, tag_key, pool_value, method, percentages
FROM app.allocation_rule
ORDER BY tag_key, name;
