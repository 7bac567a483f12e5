-- What one load delivered, per provider x billing period x currency, exact (numeric as text).
-- Bounded by the source, dataset and periods the load replaced (:lo and :hi their least and
-- greatest, as in delete_periods.sql), so bronze's index finds its rows instead of a scan of every
-- source's history.
SELECT
    provider_name AS provider,
    (billing_period_start AT TIME ZONE 'UTC')::date AS billing_period,
    upper(billing_currency) AS currency,
    count(*) AS row_count,
    coalesce(sum(billed_cost), 0) AS billed_cost,
    coalesce(sum(effective_cost), 0) AS effective_cost
FROM bronze.focus_cost
WHERE x_source = :source
  AND x_dataset = :dataset
  AND billing_period_start BETWEEN :lo AND :hi
  AND billing_period_start = ANY(:periods)
  AND x_load_id = :load_id
GROUP BY 1, 2, 3
ORDER BY 2, 1, 3;
