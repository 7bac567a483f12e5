-- Rebuild gold for whole billing periods (every source), so a restated period is never summed
-- twice. Reads the load's gold_stage (db/sql/gold_stage.sql), already summed per tag set.
WITH touched AS (
    SELECT DISTINCT (p AT TIME ZONE 'UTC')::date AS billing_period
    FROM unnest(CAST(:periods AS timestamptz[])) AS p
), cleared AS (
    DELETE FROM gold.daily_cost g
    USING touched t
    WHERE g.billing_period_start = t.billing_period
)
INSERT INTO gold.daily_cost (
    charge_date, billing_period_start, provider, billing_account_id, billing_account_name,
    sub_account_id, sub_account_name, service_name, service_category, region_id,
    charge_category, billing_currency,
    billed_cost, effective_cost, list_cost, contracted_cost, row_count
)
SELECT
    s.charge_date, s.billing_period, s.provider, s.account_id, max(s.billing_account_name),
    s.sub_account, max(s.sub_account_name), s.service, s.category, s.region,
    s.charge_cat, s.currency,
    sum(s.billed_cost), sum(s.effective_cost), sum(s.list_cost), sum(s.contracted_cost),
    sum(s.row_count)
FROM gold_stage s
GROUP BY s.charge_date, s.billing_period, s.provider, s.account_id, s.sub_account,
         s.service, s.category, s.region, s.charge_cat, s.currency;
