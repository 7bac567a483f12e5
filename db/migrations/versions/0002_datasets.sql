-- Which view of the bill a row belongs to: cost (FOCUS, AWS, GCP, OCI), actual or amortized
-- (Azure's two exports of one scope), usage (usage-only reports, no money).
ALTER TABLE bronze.focus_cost ADD COLUMN x_dataset text NOT NULL DEFAULT 'cost';
ALTER TABLE app.load_log ADD COLUMN dataset text;

DROP INDEX bronze.focus_cost_source_period;
CREATE INDEX focus_cost_source_period ON bronze.focus_cost (x_source, x_dataset, billing_period_start);

-- Silver, now dataset-aware. An actual export is the invoice: it alone fills BilledCost. An
-- amortized export spreads commitment purchases over usage: when one is loaded for the same
-- source and billing period, it alone fills EffectiveCost. Neither view is ever summed twice.
DROP VIEW silver.focus_cost;
CREATE VIEW silver.focus_cost AS
WITH amortized AS (
    SELECT DISTINCT x_source, billing_period_start
    FROM bronze.focus_cost
    WHERE x_dataset = 'amortized'
)
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
    CASE WHEN b.x_dataset = 'actual' AND a.x_source IS NOT NULL THEN 0
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
    upper(NULLIF(btrim(b.billing_currency), '')) AS currency
FROM bronze.focus_cost b
LEFT JOIN amortized a
       ON a.x_source = b.x_source
      AND a.billing_period_start = b.billing_period_start
      AND b.x_dataset = 'actual';
