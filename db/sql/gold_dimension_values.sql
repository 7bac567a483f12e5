-- Distinct values of one dimension in the date range, most expensive first ({DIM}, {TABLE} and
-- {TAG_FILTER} from db/explore.py's whitelist).
SELECT {DIM} AS value, sum(g.billed_cost) AS cost
FROM {TABLE} g
WHERE g.charge_date BETWEEN :start AND :end
  AND g.billing_currency IS NOT DISTINCT FROM :currency
  {TAG_FILTER}
{SCOPE}
GROUP BY 1
ORDER BY 2 DESC, 1
LIMIT 500;
