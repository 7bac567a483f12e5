SELECT DISTINCT g.billing_period_start FROM gold.daily_cost g
WHERE true
{SCOPE}
ORDER BY 1 DESC;
