-- Showback for one tag key, before and after an allocation rule, exact to the last digit:
-- receivers' shares are computed in numeric and the last receiver takes the pool minus the
-- others' shares, so the "after" column always sums to the "before" total.
-- The metric in braces is composed in by db/showback.py from a whitelist; everything else is bound.
WITH base AS (
    SELECT g.tag_value AS value, sum({metric}) AS cost
    FROM gold.daily_cost_by_tag g
    WHERE g.tag_key = :tag_key
      AND g.charge_date BETWEEN :start AND :end
      AND (:all_providers OR coalesce(g.provider, '(unknown)') = ANY(CAST(:providers AS text[])))
      AND g.billing_currency IS NOT DISTINCT FROM :currency
    {SCOPE}
GROUP BY 1
), pool AS (
    SELECT coalesce(sum(cost), 0) AS amount
    FROM base
    WHERE :allocate AND value IS NOT DISTINCT FROM :pool_value
), fixed AS (
    SELECT key AS value, CAST(pct AS numeric) / 100 AS weight
    FROM jsonb_each_text(coalesce(CAST(:percentages AS jsonb), '{{}}')) AS p(key, pct)
), receivers AS (
    -- Who receives: every tagged value but the pool; for fixed splits, exactly the listed values.
    SELECT coalesce(b.value, f.value) AS value, coalesce(b.cost, 0) AS cost, f.weight AS fixed_weight
    FROM (SELECT * FROM base WHERE value IS NOT NULL AND value IS DISTINCT FROM :pool_value) b
    FULL JOIN fixed f ON f.value = b.value
    WHERE :allocate AND (:method <> 'fixed' OR f.value IS NOT NULL)
), weighted AS (
    SELECT value, cost,
        CASE
            WHEN :method = 'fixed' THEN fixed_weight
            WHEN :method = 'proportional' AND sum(cost) OVER () <> 0 THEN cost / sum(cost) OVER ()
            ELSE 1.0 / count(*) OVER ()
        END AS weight
    FROM receivers
), ranked AS (
    -- 12 decimals: finer than any bill, and sums stay exact in every client's decimal type.
    SELECT value, cost, round((SELECT amount FROM pool) * weight, 12) AS share,
           row_number() OVER (ORDER BY weight, value) AS rn, count(*) OVER () AS n
    FROM weighted
), shares AS (
    SELECT value,
        CASE WHEN rn = n
             THEN (SELECT amount FROM pool)
                  - coalesce(sum(share) OVER (ORDER BY rn ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
             ELSE share END AS allocated
    FROM ranked
), everyone AS (
    SELECT value FROM base UNION SELECT value FROM shares
)
SELECT
    e.value,
    coalesce(b.cost, 0) AS before,
    CASE
        WHEN :allocate AND e.value IS NOT DISTINCT FROM :pool_value AND EXISTS (SELECT 1 FROM shares)
            THEN -(SELECT amount FROM pool)
        ELSE coalesce(s.allocated, 0)
    END AS allocated
FROM everyone e
LEFT JOIN base b ON b.value IS NOT DISTINCT FROM e.value
LEFT JOIN shares s ON s.value IS NOT DISTINCT FROM e.value
ORDER BY e.value IS NULL, coalesce(b.cost, 0) DESC, e.value;
