-- FOCUS line items of one billing period, as silver counts them (an Azure amortized row is not
-- billed, and so on), so the extract adds up to what every page shows. The column list in braces
-- is composed by db/extract.py from the FOCUS column catalogue; the scope values are bound.
COPY (
    SELECT {columns}
    FROM silver.focus_cost s
    WHERE s.billing_period = %(period)s
      AND (%(all_providers)s OR coalesce(s.provider, '(unknown)') = ANY(%(providers)s::text[]))
      AND (%(all_accounts)s OR coalesce(s.account_id, '(none)') = ANY(%(accounts)s::text[]))
      -- the signed-in user's scope, as _scope.sql words it for the others (COPY binds here)
      AND (%(scope_all_providers)s OR coalesce(s.provider, '(unknown)') = ANY(%(scope_providers)s::text[]))
      AND (%(scope_all_accounts)s OR s.account_id = ANY(%(scope_accounts)s::text[]))
      AND (%(scope_all_sub_accounts)s OR s.sub_account = ANY(%(scope_sub_accounts)s::text[]))
    ORDER BY s.charge_period_start, s.provider, s.account_id
) TO STDOUT WITH (FORMAT csv, HEADER true)
