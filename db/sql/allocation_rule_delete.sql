DELETE FROM app.allocation_rule WHERE rule_id = :rule_id RETURNING name, tag_key;
