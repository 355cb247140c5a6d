-- Training runs and what they record: settings, provenance, headline results, tags, metrics and artifacts.
-- Same rule as V1: only SQL that H2 (MODE=PostgreSQL) and PostgreSQL both accept. KEY and VALUE are keywords in H2,
-- hence metric_key, metric_value and value_text.

-- Run ids come from this sequence (SELECT nextval('run_id_seq') on both databases), so they are unique across
-- processes and machines and rise in the order runs were created.
CREATE SEQUENCE run_id_seq START WITH 1 INCREMENT BY 1;

-- One training of one model on one dataset version. status is 'running', 'finished', 'failed' or 'stopped';
-- error is kept for failed runs; ended_at is set by the final statuses. rerun_of names the run this one repeats.
-- version counts updates of the row (optimistic locking).
CREATE TABLE run (
    id               BIGINT        NOT NULL PRIMARY KEY,
    project_id       UUID          NOT NULL REFERENCES project (id),
    dataset_version  INTEGER       NOT NULL,
    dataset_hash     CHAR(64)      NOT NULL,
    status           VARCHAR(16)   NOT NULL,
    notes            VARCHAR,
    error            VARCHAR,
    rerun_of         BIGINT        REFERENCES run (id),
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    heartbeat_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at         TIMESTAMP WITH TIME ZONE,
    version          INTEGER       NOT NULL DEFAULT 0
);
-- A project's runs, newest (highest id) first.
CREATE INDEX run_project_id ON run (project_id, id);

-- The resolved training settings of a run, written once at creation; position keeps the order they were given in.
CREATE TABLE run_param (
    run_id      BIGINT        NOT NULL REFERENCES run (id),
    position    INTEGER       NOT NULL,
    name        VARCHAR(200)  NOT NULL,
    value_text  VARCHAR       NOT NULL,
    PRIMARY KEY (run_id, name)
);

-- Where a run came from (dataset hash, library versions, host, threads, ...), written once at creation.
CREATE TABLE run_provenance (
    run_id      BIGINT        NOT NULL REFERENCES run (id),
    position    INTEGER       NOT NULL,
    name        VARCHAR(200)  NOT NULL,
    value_text  VARCHAR       NOT NULL,
    PRIMARY KEY (run_id, name)
);

-- Headline results; a new name is appended (position), a known one keeps its place and takes the new value.
CREATE TABLE run_summary (
    run_id        BIGINT            NOT NULL REFERENCES run (id),
    position      INTEGER           NOT NULL,
    name          VARCHAR(100)      NOT NULL,
    metric_value  DOUBLE PRECISION  NOT NULL,
    PRIMARY KEY (run_id, name)
);

-- A run's tags in the order they were set.
CREATE TABLE run_tag (
    run_id    BIGINT        NOT NULL REFERENCES run (id),
    position  INTEGER       NOT NULL,
    tag       VARCHAR(100)  NOT NULL,
    PRIMARY KEY (run_id, tag)
);

-- Metric values per (key, step); logging a (key, step) again replaces the value. The primary key serves the reads
-- (one run, one key or all keys, by step).
CREATE TABLE run_metric (
    run_id        BIGINT            NOT NULL REFERENCES run (id),
    metric_key    VARCHAR(100)      NOT NULL,
    step          BIGINT            NOT NULL,
    epoch         INTEGER           NOT NULL,
    metric_value  DOUBLE PRECISION  NOT NULL,
    logged_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (run_id, metric_key, step)
);

-- Files a run produced, stored as blobs (by SHA-256, in whichever blob store the workspace uses); a name is stored
-- once per run, storing it again replaces it.
CREATE TABLE run_artifact (
    run_id      BIGINT        NOT NULL REFERENCES run (id),
    name        VARCHAR(255)  NOT NULL,
    sha256      CHAR(64)      NOT NULL,
    size_bytes  BIGINT        NOT NULL,
    media_type  VARCHAR(255)  NOT NULL,
    PRIMARY KEY (run_id, name)
);
