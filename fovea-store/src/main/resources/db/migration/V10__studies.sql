-- Hyperparameter studies. A study is only rows: whoever has a free trial slot (a fovea tune process, later a
-- worker) creates the next trial with an INSERT that the primary key makes unique, and moves trials on with
-- UPDATE ... WHERE version = ?, so no coordinator holds anything that a crash could lose.

-- Runs that are not trainings of a project's dataset (a synthetic objective's trials, later imported runs) have no
-- project or dataset version: source says where a run came from.
ALTER TABLE run ADD COLUMN source VARCHAR(16) NOT NULL DEFAULT 'fovea';
ALTER TABLE run ALTER COLUMN project_id DROP NOT NULL;
ALTER TABLE run ALTER COLUMN dataset_version DROP NOT NULL;
ALTER TABLE run ALTER COLUMN dataset_hash DROP NOT NULL;
ALTER TABLE run ADD CONSTRAINT run_fovea_has_dataset CHECK (source <> 'fovea'
    OR (project_id IS NOT NULL AND dataset_version IS NOT NULL AND dataset_hash IS NOT NULL));

CREATE SEQUENCE study_id_seq START WITH 1 INCREMENT BY 1;

-- objective is 'training' (trials train on project_id's dataset_version) or 'synthetic:NAME'. space_text is the
-- search space as the user wrote it (YAML), null for a synthetic function's own domain. options are the fixed
-- settings every trial gets (base training settings, synthetic epochs), as name=value lines. state is running,
-- paused, stopped or finished. seconds_used adds up the wall time processes spent running the study.
CREATE TABLE study (
    id                BIGINT        NOT NULL PRIMARY KEY,
    name              VARCHAR(100)  NOT NULL UNIQUE,
    objective         VARCHAR(100)  NOT NULL,
    project_id        UUID          REFERENCES project (id),
    dataset_version   INTEGER,
    space_text        VARCHAR,
    sampler           VARCHAR(16)   NOT NULL,
    pruner            VARCHAR(16)   NOT NULL,
    seed              BIGINT        NOT NULL,
    max_trials        INTEGER,
    max_epochs_total  INTEGER,
    max_seconds       BIGINT,
    parallel          INTEGER       NOT NULL,
    options           VARCHAR       NOT NULL,
    state             VARCHAR(16)   NOT NULL,
    seconds_used      DOUBLE PRECISION NOT NULL DEFAULT 0,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    version           INTEGER       NOT NULL DEFAULT 0
);

-- One trial: state is queued, running, complete, pruned, failed or stopped. failures counts attempts whose
-- process died on its own (a crash, a kill for time or memory): two fail the trial. A trial cut short because the
-- process running it died is queued again without counting.
CREATE TABLE trial (
    study_id    BIGINT        NOT NULL REFERENCES study (id),
    number      INTEGER       NOT NULL,
    state       VARCHAR(16)   NOT NULL,
    trial_value DOUBLE PRECISION,
    run_id      BIGINT        REFERENCES run (id),
    pruned_at   INTEGER,
    failures    INTEGER       NOT NULL DEFAULT 0,
    error       VARCHAR,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at    TIMESTAMP WITH TIME ZONE,
    version     INTEGER       NOT NULL DEFAULT 0,
    PRIMARY KEY (study_id, number)
);
CREATE INDEX trial_state ON trial (study_id, state, number);

-- The parameter values a trial was given (active ones only); kind is f (float), i (int), s (text) or b (bool).
CREATE TABLE trial_param (
    study_id    BIGINT        NOT NULL,
    number      INTEGER       NOT NULL,
    position    INTEGER       NOT NULL,
    name        VARCHAR(200)  NOT NULL,
    kind        CHAR(1)       NOT NULL,
    value_text  VARCHAR       NOT NULL,
    PRIMARY KEY (study_id, number, name),
    FOREIGN KEY (study_id, number) REFERENCES trial (study_id, number)
);

-- The objective's value after each epoch (the learning curve pruners judge); epoch starts at 1.
CREATE TABLE trial_value (
    study_id    BIGINT        NOT NULL,
    number      INTEGER       NOT NULL,
    epoch       INTEGER       NOT NULL,
    trial_value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (study_id, number, epoch),
    FOREIGN KEY (study_id, number) REFERENCES trial (study_id, number)
);

-- Each time a process took the trial: who (worker name, or host name for fovea tune), where, its pid, and how it
-- ended: running, complete, pruned, failed, lost (its process or machine died) or stopped. heartbeat_at is
-- renewed while it runs, so another process can tell a lost attempt from a slow one. epochs counts what it
-- trained (the study's epoch budget adds up every attempt's, a lost one's too).
CREATE TABLE trial_attempt (
    study_id     BIGINT        NOT NULL,
    number       INTEGER       NOT NULL,
    attempt      INTEGER       NOT NULL,
    worker       VARCHAR(200)  NOT NULL,
    host         VARCHAR(200)  NOT NULL,
    pid          BIGINT        NOT NULL,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at     TIMESTAMP WITH TIME ZONE,
    outcome      VARCHAR(16)   NOT NULL,
    epochs       INTEGER       NOT NULL DEFAULT 0,
    detail       VARCHAR,
    PRIMARY KEY (study_id, number, attempt),
    FOREIGN KEY (study_id, number) REFERENCES trial (study_id, number)
);

ALTER TABLE run ADD COLUMN study_id BIGINT REFERENCES study (id);
ALTER TABLE run ADD COLUMN trial_number INTEGER;
