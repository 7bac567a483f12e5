-- Distinct values of one dimension in the date range, most expensive first (the parts in braces
-- composed by db/explore.py from its whitelists).
SELECT {dim} AS value, sum(g.billed_cost) AS cost
FROM {table} g
WHERE g.charge_date BETWEEN :start AND :end
  AND g.billing_currency IS NOT DISTINCT FROM :currency
  {tag_filter}
{SCOPE}
GROUP BY 1
ORDER BY 2 DESC, 1
LIMIT 500;
