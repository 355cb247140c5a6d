-- A trial resumes where its last checkpoint left it. checkpoint_epoch is the last epoch whose state is in the
-- database (a training trial's run holds the checkpoint files as artifacts; a synthetic trial's state is its
-- curve): a requeued trial keeps its curve up to there, and the next attempt starts after it (resumed_from).
-- deaths counts attempts lost because their process or machine died while running it: a trial that kills its
-- worker again and again is failed instead of taking the next worker down too.
ALTER TABLE trial ADD COLUMN checkpoint_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trial ADD COLUMN deaths INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trial_attempt ADD COLUMN resumed_from INTEGER NOT NULL DEFAULT 0;

-- A run's last checkpoint, in the database so that a run (or a training trial) whose machine died resumes on
-- another one. One row per file of the engine's checkpoint, all of one epoch, replaced together after every epoch
-- (not content-addressed blobs: each epoch's bytes differ, and replaced ones would pile up); dropped once the run
-- has its model.
CREATE TABLE run_checkpoint (
    run_id      BIGINT        NOT NULL REFERENCES run (id),
    name        VARCHAR(100)  NOT NULL,
    epoch       INTEGER       NOT NULL,
    size_bytes  BIGINT        NOT NULL,
    content     BYTEA         NOT NULL,
    written_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (run_id, name)
);

-- db-scheduler's table (its own layout, in this migration set so that both databases get it): the queue of
-- training runs. task_instance is the run id; task_data how often a process died while training it; picked_by
-- the worker that claimed it, whose heartbeat keeps it. VARCHAR rather than PostgreSQL's TEXT, which H2 reads as
-- a CLOB that cannot be a key.
CREATE TABLE scheduled_tasks (
    task_name            VARCHAR(100)  NOT NULL,
    task_instance        VARCHAR(100)  NOT NULL,
    task_data            BYTEA,
    execution_time       TIMESTAMP WITH TIME ZONE NOT NULL,
    picked               BOOLEAN       NOT NULL,
    picked_by            VARCHAR(200),
    last_success         TIMESTAMP WITH TIME ZONE,
    last_failure         TIMESTAMP WITH TIME ZONE,
    consecutive_failures INTEGER,
    last_heartbeat       TIMESTAMP WITH TIME ZONE,
    version              BIGINT        NOT NULL,
    priority             SMALLINT,
    PRIMARY KEY (task_name, task_instance)
);
CREATE INDEX scheduled_tasks_execution_time ON scheduled_tasks (execution_time);
CREATE INDEX scheduled_tasks_last_heartbeat ON scheduled_tasks (last_heartbeat);
CREATE INDEX scheduled_tasks_priority ON scheduled_tasks (priority DESC, execution_time ASC);
