-- One pass over the touched billing periods (every source): cost per day, gold dimensions and
-- raw tag set. gold.daily_cost and gold.daily_cost_by_tag are both summed from this, so the load
-- reads bronze once, and the tag rollup works on ~1 row in 3 instead of every line item (hourly
-- lines share their day, dimensions and tags). Dropped at commit.
CREATE TEMP TABLE gold_stage ON COMMIT DROP AS
WITH touched AS (
    SELECT DISTINCT (p AT TIME ZONE 'UTC')::date AS billing_period
    FROM unnest(CAST(:periods AS timestamptz[])) AS p
)
SELECT
    s.charge_date, s.billing_period, s.provider, s.account_id, s.sub_account, s.service,
    s.category, s.region, s.charge_cat, s.currency,
    coalesce(s.tags, '{}') AS tags,  -- no tags and {} roll up alike: untagged under every key
    max(s.billing_account_name) AS billing_account_name,
    max(s.sub_account_name) AS sub_account_name,
    coalesce(sum(s.billed_cost), 0) AS billed_cost,
    coalesce(sum(s.effective_cost), 0) AS effective_cost,
    coalesce(sum(s.list_cost), 0) AS list_cost,
    coalesce(sum(s.contracted_cost), 0) AS contracted_cost,
    count(*) AS row_count
FROM silver.focus_cost s
WHERE s.billing_period_start BETWEEN :lo AND :hi  -- least and greatest of :periods
  AND s.billing_period IN (SELECT billing_period FROM touched)
GROUP BY s.charge_date, s.billing_period, s.provider, s.account_id, s.sub_account, s.service,
         s.category, s.region, s.charge_cat, s.currency, coalesce(s.tags, '{}');
