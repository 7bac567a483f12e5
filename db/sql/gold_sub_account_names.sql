SELECT DISTINCT ON (g.sub_account_id) g.sub_account_id, g.sub_account_name
FROM gold.daily_cost g
WHERE g.sub_account_name IS NOT NULL
{SCOPE}
ORDER BY g.sub_account_id, g.charge_date DESC;
