-- One row per configured source the scheduler syncs. `name` is also the source its data is
-- loaded under (bronze.focus_cost.x_source, app.load_log.source). `kind` is checked against the
-- connector registry in Python (ingestion/sources), so adding a kind needs no migration.
CREATE TABLE app.source (
    source_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL,
    kind        text        NOT NULL,
    -- what the connector needs to find the exports (a folder, a bucket and prefix, ...); never secrets
    settings    jsonb       NOT NULL DEFAULT '{}',
    -- a Fernet token (CLOUDLENS_SECRET_KEY) of a JSON object of secret fields; NULL when the
    -- cloud SDK's default credential chain serves (environment, profile, managed identity)
    credentials bytea,
    -- 'every 1h' (interval) or a five-field cron expression in UTC ('0 6 * * *')
    schedule    text        NOT NULL,
    enabled     boolean     NOT NULL DEFAULT true,
    -- the connector's cursor: what it has already handed to the loader (reset when settings change)
    state       jsonb       NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$')
);
CREATE UNIQUE INDEX source_name ON app.source (lower(name));

-- Every sync of a source: scheduled, asked for from the page ("Sync now": a queued row the
-- scheduler picks up), or from `scheduler.py --once`. Kept after the source is removed.
CREATE TABLE app.sync_run (
    sync_run_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id        bigint      REFERENCES app.source ON DELETE SET NULL,
    source           text        NOT NULL,
    reason           text        NOT NULL CHECK (reason IN ('schedule', 'request', 'once')),
    requested_by     text,
    requested_at     timestamptz NOT NULL DEFAULT now(),
    status           text        NOT NULL
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    started          timestamptz,
    finished         timestamptz,
    files_total      integer,                          -- new exports the listing found
    files            integer     NOT NULL DEFAULT 0,   -- loaded
    files_skipped    integer     NOT NULL DEFAULT 0,   -- same content already loaded
    rows             bigint      NOT NULL DEFAULT 0,
    periods          date[]      NOT NULL DEFAULT '{}', -- billing periods replaced
    current_file     text,
    error            text,
    attempts         integer     NOT NULL DEFAULT 0,   -- 1, plus one per retry after a transient error
    cancel_requested boolean     NOT NULL DEFAULT false,
    runner           text                              -- host:pid of the process that ran it
);
-- A source never syncs twice at once, and waits in the queue at most once.
CREATE UNIQUE INDEX sync_run_one_running ON app.sync_run (source) WHERE status = 'running';
CREATE UNIQUE INDEX sync_run_one_queued ON app.sync_run (source) WHERE status = 'queued';
CREATE INDEX sync_run_source_requested ON app.sync_run (source, requested_at DESC);
CREATE INDEX sync_run_requested ON app.sync_run (requested_at DESC);

-- APScheduler 3's SQLAlchemy job store (scheduler.py): one job per enabled source with its
-- trigger and next run time, so a restart keeps the schedule. Same columns as the library's own
-- table definition, created here so that every table has a migration.
CREATE TABLE app.scheduler_job (
    id            varchar(191) PRIMARY KEY,
    next_run_time double precision,
    job_state     bytea        NOT NULL
);
CREATE INDEX scheduler_job_next_run_time ON app.scheduler_job (next_run_time);
