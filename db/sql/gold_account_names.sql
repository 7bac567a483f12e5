SELECT DISTINCT ON (g.billing_account_id) g.billing_account_id, g.billing_account_name
FROM gold.daily_cost g
WHERE g.billing_account_name IS NOT NULL
{SCOPE}
ORDER BY g.billing_account_id, g.charge_date DESC;
