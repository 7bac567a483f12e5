-- Cost by tag, for the tag keys that matter (see db/sql/refresh_gold_tags.sql): for each key,
-- every cost row lands exactly once, under its value or under NULL (the untagged bucket), so
-- the values of one key always add up to the whole bill.
CREATE TABLE gold.daily_cost_by_tag (
    charge_date          date    NOT NULL,
    billing_period_start date    NOT NULL,
    tag_key              text    NOT NULL,  -- normalized key (app.normalize_tag_key)
    tag_value            text,              -- NULL: the row does not carry this tag
    provider             text,
    billing_account_id   text,
    sub_account_id       text,
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
CREATE INDEX daily_cost_by_tag_key_date ON gold.daily_cost_by_tag (tag_key, charge_date);
CREATE INDEX daily_cost_by_tag_period ON gold.daily_cost_by_tag (billing_period_start);

-- How shared or untagged cost is spread over the values of a tag key.
--   pool_value NULL: the untagged bucket; otherwise a value that means "shared" (e.g. platform).
--   method: even (same share each), proportional (to each value's own cost), fixed (percentages).
CREATE TABLE app.allocation_rule (
    rule_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL UNIQUE,
    tag_key     text        NOT NULL,
    pool_value  text,
    method      text        NOT NULL CHECK (method IN ('even', 'proportional', 'fixed')),
    percentages jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((method = 'fixed') = (percentages IS NOT NULL))
);

-- Data freshness per source, for the Overview: when it last loaded and how recent its data is.
CREATE VIEW gold.source_freshness AS
SELECT
    l.source,
    max(l.finished_at) FILTER (WHERE l.status = 'loaded') AS last_loaded_at,
    max(l.finished_at) FILTER (WHERE l.status = 'failed') AS last_failed_at,
    (array_agg(l.error ORDER BY l.load_id DESC) FILTER (WHERE l.status = 'failed'))[1]
        AS last_error,
    (SELECT max(charge_period_start AT TIME ZONE 'UTC')::date
       FROM bronze.focus_cost b WHERE b.x_source = l.source) AS last_charge_date,
    count(*) FILTER (WHERE l.status = 'loaded') AS files_loaded
FROM app.load_log l
GROUP BY l.source;
