-- A re-delivered billing period replaces what this source delivered for it before, for the
-- same dataset only: an Azure amortized file never removes the actual-cost rows, and back.
-- :lo and :hi are the least and greatest of :periods: on statistics that predate the rows, the
-- planner takes a range (not the array) as a condition for bronze's BRIN index.
DELETE FROM bronze.focus_cost
WHERE x_source = :source
  AND x_dataset = :dataset
  AND billing_period_start BETWEEN :lo AND :hi
  AND billing_period_start = ANY(:periods);
