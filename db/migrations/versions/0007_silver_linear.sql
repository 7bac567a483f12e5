-- Silver's reads stay linear whatever bronze's statistics say. It used to LEFT JOIN bronze to the
-- (source, period) pairs that have an amortized export; on statistics gathered while bronze held
-- other periods (after a TRUNCATE, or before autovacuum has seen a new source's first month) the
-- planner expected one row per period and ran that lookup as the inner side of a nested loop,
-- one scan of bronze's index per line item: quadratic on a real month (a CI run hung in it).
-- The lookup is now an EXISTS evaluated only for Azure actual-cost rows: Postgres hashes it once
-- or probes the partial index below per row, and both are linear (the view stays parallel-safe,
-- which a MATERIALIZED CTE would not be). The index holds amortized rows only.
CREATE INDEX focus_cost_amortized ON bronze.focus_cost (x_source, billing_period_start)
    WHERE x_dataset = 'amortized';

CREATE OR REPLACE VIEW silver.focus_cost AS
SELECT
    b.availability_zone, b.billing_account_id, b.billing_account_name, b.billing_account_type,
    b.billing_currency, b.billing_period_end, b.billing_period_start, b.capacity_reservation_id,
    b.capacity_reservation_status, b.charge_category, b.charge_class, b.charge_description,
    b.charge_frequency, b.charge_period_end, b.charge_period_start,
    b.commitment_discount_category, b.commitment_discount_id, b.commitment_discount_name,
    b.commitment_discount_quantity, b.commitment_discount_status, b.commitment_discount_type,
    b.commitment_discount_unit, b.consumed_quantity, b.consumed_unit, b.contracted_cost,
    b.contracted_unit_price, b.invoice_id, b.invoice_issuer_name, b.list_cost,
    b.list_unit_price, b.pricing_category, b.pricing_currency,
    b.pricing_currency_contracted_unit_price, b.pricing_currency_effective_cost,
    b.pricing_currency_list_unit_price, b.pricing_quantity, b.pricing_unit, b.provider_name,
    b.publisher_name, b.region_id, b.region_name, b.resource_id, b.resource_name,
    b.resource_type, b.service_category, b.service_name, b.service_subcategory, b.sku_id,
    b.sku_meter, b.sku_price_details, b.sku_price_id, b.sub_account_id, b.sub_account_name,
    b.sub_account_type, b.tags, b.x_source, b.x_load_id, b.x_dataset,
    CASE WHEN b.x_dataset = 'amortized' THEN 0 ELSE b.billed_cost END AS billed_cost,
    CASE WHEN b.x_dataset = 'actual' AND EXISTS (
             SELECT FROM bronze.focus_cost a
             WHERE a.x_dataset = 'amortized'
               AND a.x_source = b.x_source
               AND a.billing_period_start = b.billing_period_start
         ) THEN 0
         ELSE b.effective_cost END AS effective_cost,
    (b.charge_period_start AT TIME ZONE 'UTC')::date AS charge_date,
    (b.billing_period_start AT TIME ZONE 'UTC')::date AS billing_period,
    NULLIF(btrim(b.provider_name), '')      AS provider,
    NULLIF(btrim(b.billing_account_id), '') AS account_id,
    NULLIF(btrim(b.sub_account_id), '')     AS sub_account,
    NULLIF(btrim(b.service_name), '')       AS service,
    NULLIF(btrim(b.service_category), '')   AS category,
    NULLIF(btrim(b.region_id), '')          AS region,
    NULLIF(btrim(b.charge_category), '')    AS charge_cat,
    upper(NULLIF(btrim(b.billing_currency), '')) AS currency,
    app.normalize_tags(b.tags) AS tags_normalized
FROM bronze.focus_cost b;
