-- Finance's monthly view: cost per billing account and one tag's values (e.g. cost centre),
-- one row per account and value, one amount per month; the untagged bucket included.
SELECT
    coalesce(g.provider, '(unknown)') AS provider,
    coalesce(g.billing_account_id, '(none)') AS billing_account_id,
    coalesce(g.tag_value, '(untagged)') AS tag_value,
    date_trunc('month', g.charge_date)::date AS month,
    sum({metric}) AS cost
FROM gold.daily_cost_by_tag g
WHERE g.tag_key = :tag_key
  AND g.charge_date BETWEEN :start AND :end
  AND (:all_providers OR coalesce(g.provider, '(unknown)') = ANY(CAST(:providers AS text[])))
  AND g.billing_currency IS NOT DISTINCT FROM :currency
{SCOPE}
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4;
