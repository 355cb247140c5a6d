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
