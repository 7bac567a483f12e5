-- Providers spell one tag many ways: "CostCenter", "cost_center", "user:Cost-Center". Bronze
-- keeps the keys as delivered; silver adds tags_normalized, whose keys are a readable lookup
-- form: camelCase split, lower-case, runs of other characters as one "-", AWS's "user:" dropped.
-- All of those spellings become "cost-center".
CREATE FUNCTION app.normalize_tag_key(key text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN btrim(
    regexp_replace(
        lower(regexp_replace(regexp_replace(key, '^user:', '', 'i'), '([a-z0-9])([A-Z])', '\1-\2', 'g')),
        '[^a-z0-9]+', '-', 'g'
    ),
    '-'
);

-- When two spellings collide in one row, the value of the alphabetically last key wins.
CREATE FUNCTION app.normalize_tags(tags jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN jsonb_typeof(tags) = 'object' THEN (
    SELECT jsonb_object_agg(app.normalize_tag_key(t.key), t.value ORDER BY t.key)
    FROM jsonb_each(tags) AS t
) END;

CREATE OR REPLACE VIEW silver.focus_cost AS
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
    upper(NULLIF(btrim(b.billing_currency), '')) AS currency,
    app.normalize_tags(b.tags) AS tags_normalized
FROM bronze.focus_cost b
LEFT JOIN amortized a
       ON a.x_source = b.x_source
      AND a.billing_period_start = b.billing_period_start
      AND b.x_dataset = 'actual';
