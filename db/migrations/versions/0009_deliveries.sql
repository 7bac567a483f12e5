-- The unit of loading is a delivery (ingestion/delivery.py): several files or batch streams loaded
-- in one transaction, in one of two modes. A replace_period delivery is the whole truth for the
-- periods it covers (its rows carry no slice); an append delivery adds slices, one per part, keyed
-- by the part's name, and delivering a name again replaces that slice only, in whatever periods it
-- had. Slice deletes find their rows through the partial index; replace_period rows are not in it.
ALTER TABLE bronze.focus_cost ADD COLUMN x_slice text;
CREATE INDEX focus_cost_slice ON bronze.focus_cost (x_source, x_slice) WHERE x_slice IS NOT NULL;

-- Every part keeps its own load_log row; the rows of one delivery share its id. Each load before
-- this revision was a delivery of one file in replace_period mode.
CREATE SEQUENCE app.delivery_id_seq;
ALTER TABLE app.load_log
    ADD COLUMN delivery_id bigint,
    ADD COLUMN mode text NOT NULL DEFAULT 'replace_period'
        CHECK (mode IN ('replace_period', 'append'));
UPDATE app.load_log SET delivery_id = nextval('app.delivery_id_seq');
ALTER TABLE app.load_log
    ALTER COLUMN delivery_id SET DEFAULT nextval('app.delivery_id_seq'),
    ALTER COLUMN delivery_id SET NOT NULL;
CREATE INDEX load_log_delivery ON app.load_log (delivery_id);
