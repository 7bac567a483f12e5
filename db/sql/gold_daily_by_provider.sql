SELECT g.charge_date, coalesce(g.provider, '(unknown)') AS provider, sum(g.billed_cost) AS billed_cost
FROM gold.daily_cost g
WHERE g.charge_date BETWEEN :start AND :end
  AND (:all_providers OR coalesce(g.provider, '(unknown)') = ANY(CAST(:providers AS text[])))
  AND g.billing_currency IS NOT DISTINCT FROM :currency
{SCOPE}
GROUP BY 1, 2
ORDER BY 1, 2;
