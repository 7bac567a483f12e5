UPDATE app.load_log SET
    status = :status,
    dataset = coalesce(:dataset, dataset),
    finished_at = clock_timestamp(),
    duration_s = :duration_s,
    row_count = :row_count,
    billing_periods = :billing_periods,
    providers = :providers,
    billed_cost = :billed_cost,
    effective_cost = :effective_cost,
    totals = CAST(:totals AS jsonb),
    error = :error
WHERE load_id = :load_id;
