-- Sub-accounts (AWS linked account, Azure subscription, GCP project, OCI compartment).
SELECT
    coalesce(g.provider, '(unknown)') AS provider,
    coalesce(g.billing_account_id, '') AS billing_account_id,
    coalesce(g.sub_account_id, g.billing_account_id, '(none)') AS sub_account_id,
    coalesce(max(g.sub_account_name), max(g.billing_account_name), '') AS sub_account_name,
    sum(g.billed_cost) AS billed_cost
FROM gold.daily_cost g
WHERE g.charge_date BETWEEN :start AND :end
  AND (:all_providers OR coalesce(g.provider, '(unknown)') = ANY(CAST(:providers AS text[])))
  AND g.billing_currency IS NOT DISTINCT FROM :currency
{SCOPE}
GROUP BY 1, 2, 3
ORDER BY 5 DESC, 3
LIMIT :limit;
