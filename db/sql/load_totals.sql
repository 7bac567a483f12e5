-- What one load delivered, per provider x billing period x currency, exact (numeric as text).
SELECT
    provider_name AS provider,
    (billing_period_start AT TIME ZONE 'UTC')::date AS billing_period,
    upper(billing_currency) AS currency,
    count(*) AS row_count,
    coalesce(sum(billed_cost), 0) AS billed_cost,
    coalesce(sum(effective_cost), 0) AS effective_cost
FROM bronze.focus_cost
WHERE x_load_id = :load_id
GROUP BY 1, 2, 3
ORDER BY 2, 1, 3;
