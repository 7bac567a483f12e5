-- A re-delivered billing period replaces what this source delivered for it before, for the
-- same dataset only: an Azure amortized file never removes the actual-cost rows, and back.
DELETE FROM bronze.focus_cost
WHERE x_source = :source
  AND x_dataset = :dataset
  AND billing_period_start = ANY(:periods);
