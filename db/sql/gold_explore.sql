-- Cost explorer. The parts in braces are composed by db/explore.py (psycopg.sql) from its fixed
-- whitelists only; every value is a bound parameter.
SELECT
    {period} AS period,
    {dim1} AS dim1,
    {dim2} AS dim2,
    sum({metric}) AS cost
FROM {table} g
WHERE g.charge_date BETWEEN :start AND :end
  AND (:all_providers OR coalesce(g.provider, '(unknown)') = ANY(CAST(:providers AS text[])))
  AND g.billing_currency IS NOT DISTINCT FROM :currency
  AND (:f_provider_all OR coalesce(g.provider, '(unknown)') = ANY(CAST(:f_provider AS text[])))
  AND (:f_billing_account_all OR coalesce(g.billing_account_id, '(none)') = ANY(CAST(:f_billing_account AS text[])))
  AND (:f_sub_account_all OR coalesce(g.sub_account_id, '(none)') = ANY(CAST(:f_sub_account AS text[])))
  AND (:f_service_all OR coalesce(g.service_name, '(none)') = ANY(CAST(:f_service AS text[])))
  AND (:f_service_category_all OR coalesce(g.service_category, '(none)') = ANY(CAST(:f_service_category AS text[])))
  AND (:f_region_all OR coalesce(g.region_id, '(none)') = ANY(CAST(:f_region AS text[])))
  AND (:f_charge_category_all OR coalesce(g.charge_category, '(none)') = ANY(CAST(:f_charge_category AS text[])))
  {tag_filter}
{SCOPE}
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3;
