-- "Test connection": the page queues a row, the scheduler (which alone opens credentials) runs
-- the source's listing and writes the answer here. Not app.sync_run: a test must neither wait
-- behind a sync nor block one, nor count as a sync for the schedule. Each source keeps its
-- latest answer only (a new request replaces the ended ones).
CREATE TABLE app.source_test (
    source_test_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id      bigint      NOT NULL REFERENCES app.source ON DELETE CASCADE,
    source         text        NOT NULL,
    requested_by   text,
    requested_at   timestamptz NOT NULL DEFAULT now(),
    status         text        NOT NULL
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    started        timestamptz,
    finished       timestamptz,
    exports        integer,                -- what the next sync would load
    waiting        integer,                -- seen, but left for a later run (still settling)
    listed         jsonb,                  -- the first exports: [{"name": ..., "size": ...}]
    error          text,                   -- why the listing failed, secrets redacted
    runner         text                    -- host:pid of the process that answered
);
CREATE UNIQUE INDEX source_test_one_queued ON app.source_test (source_id) WHERE status = 'queued';
CREATE INDEX source_test_source ON app.source_test (source_id, source_test_id DESC);
