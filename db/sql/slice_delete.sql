-- Re-delivering an append slice replaces that slice only, in every period it had; the periods it
-- left are returned, so gold is refreshed for them too.
WITH gone AS (
    DELETE FROM bronze.focus_cost
    WHERE x_source = :source AND x_slice = :slice
    RETURNING billing_period_start
)
SELECT DISTINCT billing_period_start FROM gone;
