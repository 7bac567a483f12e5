SELECT
    coalesce(g.service_name, '(no service)') AS service_name,
    coalesce(g.provider, '(unknown)') AS provider,
    sum(g.billed_cost) AS billed_cost
FROM gold.daily_cost g
WHERE g.charge_date BETWEEN :start AND :end
  AND (:all_providers OR coalesce(g.provider, '(unknown)') = ANY(CAST(:providers AS text[])))
  AND g.billing_currency IS NOT DISTINCT FROM :currency
{SCOPE}
GROUP BY 1, 2
ORDER BY 3 DESC, 1
LIMIT :limit;
