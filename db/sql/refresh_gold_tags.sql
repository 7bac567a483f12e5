-- Rebuild cost by tag for whole billing periods. Keys: the 20 most frequent normalized tag keys
-- of those periods (real tag sets run to hundreds of keys; showback uses a handful).
-- Rows are first summed per dimension set and raw tag object, so the costly key normalization
-- runs once per distinct tag set a day, not once per line item (hourly lines share their tags).
WITH touched AS (
    SELECT DISTINCT (p AT TIME ZONE 'UTC')::date AS billing_period
    FROM unnest(CAST(:periods AS timestamptz[])) AS p
), cleared AS (
    DELETE FROM gold.daily_cost_by_tag g
    USING touched t
    WHERE g.billing_period_start = t.billing_period
), grouped AS (
    SELECT
        s.charge_date, s.billing_period, s.provider, s.account_id, s.sub_account, s.service,
        s.category, s.region, s.charge_cat, s.currency, s.tags,
        coalesce(sum(s.billed_cost), 0) AS billed_cost,
        coalesce(sum(s.effective_cost), 0) AS effective_cost,
        coalesce(sum(s.list_cost), 0) AS list_cost,
        coalesce(sum(s.contracted_cost), 0) AS contracted_cost,
        count(*) AS row_count
    FROM silver.focus_cost s
    WHERE s.billing_period_start >= :lo
      AND s.billing_period_start < :hi
      AND s.billing_period IN (SELECT billing_period FROM touched)
    GROUP BY s.charge_date, s.billing_period, s.provider, s.account_id, s.sub_account, s.service,
             s.category, s.region, s.charge_cat, s.currency, s.tags
), normalized AS (
    SELECT g.*, app.normalize_tags(g.tags) AS tags_normalized FROM grouped g
), keys AS (
    SELECT k.key AS tag_key
    FROM normalized n, jsonb_object_keys(n.tags_normalized) AS k(key)
    GROUP BY k.key
    ORDER BY sum(n.row_count) DESC, k.key
    LIMIT 20
)
INSERT INTO gold.daily_cost_by_tag (
    charge_date, billing_period_start, tag_key, tag_value, provider, billing_account_id,
    sub_account_id, service_name, service_category, region_id, charge_category, billing_currency,
    billed_cost, effective_cost, list_cost, contracted_cost, row_count
)
SELECT
    n.charge_date, n.billing_period, k.tag_key, NULLIF(n.tags_normalized ->> k.tag_key, ''),
    n.provider, n.account_id, n.sub_account, n.service, n.category, n.region, n.charge_cat,
    n.currency,
    sum(n.billed_cost), sum(n.effective_cost), sum(n.list_cost), sum(n.contracted_cost),
    sum(n.row_count)
FROM normalized n CROSS JOIN keys k
GROUP BY n.charge_date, n.billing_period, k.tag_key, 4, n.provider, n.account_id,
         n.sub_account, n.service, n.category, n.region, n.charge_cat, n.currency;
