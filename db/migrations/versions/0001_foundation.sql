-- Medallion layout: bronze (FOCUS rows as delivered), silver (typed and cleaned view),
-- gold (aggregates pages read), app (the product's own state).
CREATE SCHEMA IF NOT EXISTS bronze;
CREATE SCHEMA IF NOT EXISTS silver;
CREATE SCHEMA IF NOT EXISTS gold;
CREATE SCHEMA IF NOT EXISTS app;

-- Every load attempt, kept forever: the audit trail finance asks for when a number moves.
CREATE TABLE app.load_log (
    load_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source         text        NOT NULL,
    file_path      text        NOT NULL,
    file_name      text        NOT NULL,
    file_bytes     bigint,
    checksum       text        NOT NULL,
    format         text,
    status         text        NOT NULL CHECK (status IN ('running', 'loaded', 'skipped', 'failed')),
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    duration_s     double precision,
    row_count      bigint,
    billing_periods date[],
    providers      text[],
    billed_cost    numeric,
    effective_cost numeric,
    totals         jsonb,
    error          text
);
CREATE INDEX load_log_checksum ON app.load_log (source, checksum) WHERE status = 'loaded';
CREATE INDEX load_log_started ON app.load_log (started_at DESC);

-- FOCUS 1.2 columns in snake_case (plus the 1.0/1.1 ones 1.2 kept), money as exact numeric.
-- Provider-specific and Cloudlens columns are prefixed x_.
CREATE TABLE bronze.focus_cost (
    availability_zone                      text,
    billed_cost                            numeric,
    billing_account_id                     text,
    billing_account_name                   text,
    billing_account_type                   text,
    billing_currency                       text,
    billing_period_end                     timestamptz,
    billing_period_start                   timestamptz NOT NULL,
    capacity_reservation_id                text,
    capacity_reservation_status            text,
    charge_category                        text,
    charge_class                           text,
    charge_description                     text,
    charge_frequency                       text,
    charge_period_end                      timestamptz,
    charge_period_start                    timestamptz NOT NULL,
    commitment_discount_category           text,
    commitment_discount_id                 text,
    commitment_discount_name               text,
    commitment_discount_quantity           numeric,
    commitment_discount_status             text,
    commitment_discount_type               text,
    commitment_discount_unit               text,
    consumed_quantity                      numeric,
    consumed_unit                          text,
    contracted_cost                        numeric,
    contracted_unit_price                  numeric,
    effective_cost                         numeric,
    invoice_id                             text,
    invoice_issuer_name                    text,
    list_cost                              numeric,
    list_unit_price                        numeric,
    pricing_category                       text,
    pricing_currency                       text,
    pricing_currency_contracted_unit_price numeric,
    pricing_currency_effective_cost        numeric,
    pricing_currency_list_unit_price       numeric,
    pricing_quantity                       numeric,
    pricing_unit                           text,
    provider_name                          text,
    publisher_name                         text,
    region_id                              text,
    region_name                            text,
    resource_id                            text,
    resource_name                          text,
    resource_type                          text,
    service_category                       text,
    service_name                           text,
    service_subcategory                    text,
    sku_id                                 text,
    sku_meter                              text,
    sku_price_details                      text,
    sku_price_id                           text,
    sub_account_id                         text,
    sub_account_name                       text,
    sub_account_type                       text,
    tags                                   jsonb,
    x_source                               text        NOT NULL,
    x_load_id                              bigint      NOT NULL
);
-- The restatement DELETE and the gold refresh both look rows up by source and billing period.
CREATE INDEX focus_cost_source_period ON bronze.focus_cost (x_source, billing_period_start);
CREATE INDEX focus_cost_period ON bronze.focus_cost (billing_period_start);

-- Silver: typed and cleaned. Blank strings become NULL so '' and missing group together,
-- the charge date is the UTC calendar day, and tag keys gain a normalized (lower-case) copy.
CREATE VIEW silver.focus_cost AS
SELECT
    b.*,
    (b.charge_period_start AT TIME ZONE 'UTC')::date AS charge_date,
    (b.billing_period_start AT TIME ZONE 'UTC')::date AS billing_period,
    NULLIF(btrim(b.provider_name), '')     AS provider,
    NULLIF(btrim(b.billing_account_id), '') AS account_id,
    NULLIF(btrim(b.sub_account_id), '')    AS sub_account,
    NULLIF(btrim(b.service_name), '')      AS service,
    NULLIF(btrim(b.service_category), '')  AS category,
    NULLIF(btrim(b.region_id), '')         AS region,
    NULLIF(btrim(b.charge_category), '')   AS charge_cat,
    upper(NULLIF(btrim(b.billing_currency), '')) AS currency
FROM bronze.focus_cost b;

-- Gold: one row per day and dimension set; what every page reads.
CREATE TABLE gold.daily_cost (
    charge_date          date    NOT NULL,
    billing_period_start date    NOT NULL,
    provider             text,
    billing_account_id   text,
    billing_account_name text,
    sub_account_id       text,
    sub_account_name     text,
    service_name         text,
    service_category     text,
    region_id            text,
    charge_category      text,
    billing_currency     text,
    billed_cost          numeric NOT NULL,
    effective_cost       numeric NOT NULL,
    list_cost            numeric NOT NULL,
    contracted_cost      numeric NOT NULL,
    row_count            bigint  NOT NULL
);
CREATE INDEX daily_cost_date ON gold.daily_cost (charge_date);
CREATE INDEX daily_cost_period ON gold.daily_cost (billing_period_start);
