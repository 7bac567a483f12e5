-- What moved most: cost in the selected window against the window of the same length just
-- before it, per dimension (composed in by db/explore.py from its whitelist).
SELECT
    {dim} AS value,
    coalesce(sum(g.billed_cost) FILTER (WHERE g.charge_date >= :start), 0) AS current_cost,
    coalesce(sum(g.billed_cost) FILTER (WHERE g.charge_date < :start), 0) AS previous_cost
FROM gold.daily_cost g
WHERE g.charge_date BETWEEN :previous_start AND :end
  AND (:all_providers OR coalesce(g.provider, '(unknown)') = ANY(CAST(:providers AS text[])))
  AND g.billing_currency IS NOT DISTINCT FROM :currency
{SCOPE}
GROUP BY 1;
