-- What the data covers: date span, providers and currencies (the one with the most spend first:
-- it is the one a page opens in), for the filters and the as-of date.
WITH scoped AS (
    SELECT g.charge_date, g.provider, g.billing_currency, g.billed_cost
    FROM gold.daily_cost g
    WHERE true
    {SCOPE}
), currencies AS (
    SELECT billing_currency, sum(abs(billed_cost)) AS spend
    FROM scoped
    WHERE billing_currency IS NOT NULL
    GROUP BY 1
)
SELECT
    min(charge_date) AS first_date,
    max(charge_date) AS last_date,
    coalesce(array_agg(DISTINCT coalesce(provider, '(unknown)')), '{}') AS providers,
    coalesce(
        (SELECT array_agg(billing_currency ORDER BY spend DESC, billing_currency) FROM currencies),
        '{}'
    ) AS currencies,
    count(*) AS gold_rows
FROM scoped;
