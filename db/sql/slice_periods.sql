-- The billing periods an append slice (a part's name, for its source) holds rows in, so their
-- locks are taken before the slice is deleted (see slice_delete.sql).
SELECT DISTINCT billing_period_start
FROM bronze.focus_cost
WHERE x_source = :source AND x_slice = :slice;
