-- Month to date, the whole previous month, and the previous month up to the same day.
SELECT
    coalesce(sum(g.billed_cost) FILTER (WHERE g.charge_date >= :month_start), 0) AS month_to_date,
    coalesce(sum(g.billed_cost) FILTER (WHERE g.charge_date < :month_start), 0) AS last_month,
    coalesce(sum(g.billed_cost) FILTER (
        WHERE g.charge_date < :month_start AND g.charge_date <= :last_month_same_day
    ), 0) AS last_month_to_date
FROM gold.daily_cost g
WHERE g.charge_date >= :last_month_start
  AND g.charge_date <= :as_of
  AND (:all_providers OR coalesce(g.provider, '(unknown)') = ANY(CAST(:providers AS text[])))
  AND g.billing_currency IS NOT DISTINCT FROM :currency
{SCOPE};
