-- Rebuild cost by tag for whole billing periods, from the load's gold_stage. Keys: the 20 most
-- frequent normalized tag keys of those periods (real tag sets run to hundreds of keys; showback
-- uses a handful). Key normalization runs once per distinct tag set (a few hundred), and each
-- staged row meets its tag set's (key, value) pairs through a hash join.
WITH touched AS (
    SELECT DISTINCT (p AT TIME ZONE 'UTC')::date AS billing_period
    FROM unnest(CAST(:periods AS timestamptz[])) AS p
), cleared AS (
    DELETE FROM gold.daily_cost_by_tag g
    USING touched t
    WHERE g.billing_period_start = t.billing_period
), tag_sets AS (
    SELECT s.tags, app.normalize_tags(s.tags) AS normalized, sum(s.row_count) AS row_count
    FROM gold_stage s
    GROUP BY s.tags
), keys AS (
    SELECT k.key AS tag_key
    FROM tag_sets t, jsonb_object_keys(t.normalized) AS k(key)
    GROUP BY k.key
    ORDER BY sum(t.row_count) DESC, k.key
    LIMIT 20
), pairs AS (
    SELECT t.tags, k.tag_key, NULLIF(t.normalized ->> k.tag_key, '') AS tag_value
    FROM tag_sets t CROSS JOIN keys k
)
INSERT INTO gold.daily_cost_by_tag (
    charge_date, billing_period_start, tag_key, tag_value, provider, billing_account_id,
    sub_account_id, service_name, service_category, region_id, charge_category, billing_currency,
    billed_cost, effective_cost, list_cost, contracted_cost, row_count
)
SELECT
    s.charge_date, s.billing_period, p.tag_key, p.tag_value, s.provider, s.account_id,
    s.sub_account, s.service, s.category, s.region, s.charge_cat, s.currency,
    sum(s.billed_cost), sum(s.effective_cost), sum(s.list_cost), sum(s.contracted_cost),
    sum(s.row_count)
FROM gold_stage s
JOIN pairs p ON p.tags = s.tags
GROUP BY s.charge_date, s.billing_period, p.tag_key, p.tag_value, s.provider, s.account_id,
         s.sub_account, s.service, s.category, s.region, s.charge_cat, s.currency;
