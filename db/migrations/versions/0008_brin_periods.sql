-- Loads write whole billing periods of one source at a time, so bronze's rows lie in long runs of
-- one period, source and dataset, and cost-by-tag's in runs of one period. A BRIN index (the
-- period, source and dataset range of each 1 MB of table) finds those runs as well as a B-tree
-- does for what reads them (a load's delete and totals, the gold stage's period range), and costs
-- next to nothing to maintain: the two B-trees it replaces took 3.4 s of a million-row COPY's
-- 14 s (bench/ingest.py). autosummarize has autovacuum summarize each range as a load fills it.
DROP INDEX bronze.focus_cost_source_period;
DROP INDEX bronze.focus_cost_period;
CREATE INDEX focus_cost_period_source ON bronze.focus_cost
    USING brin (billing_period_start, x_source, x_dataset) WITH (pages_per_range = 32, autosummarize = on);

DROP INDEX gold.daily_cost_by_tag_period;
CREATE INDEX daily_cost_by_tag_period ON gold.daily_cost_by_tag
    USING brin (billing_period_start) WITH (pages_per_range = 32, autosummarize = on);
