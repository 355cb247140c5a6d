-- Workers: one row per worker name (fovea worker --name, by default the host name). A worker inserts or takes
-- over its row when it starts, renews heartbeat_at while it runs (every second or so) and says stopped when it
-- ends. A row still live whose heartbeat is older than the heartbeat timeout is a lost worker (its machine died);
-- that is read, never written, so a worker that comes back finds its row as it left it. The row's version makes
-- a take-over a compare-and-set: of two processes starting under one name, one wins.
CREATE TABLE worker (
    name           VARCHAR(100)  NOT NULL PRIMARY KEY,
    host           VARCHAR(200)  NOT NULL,
    pid            BIGINT        NOT NULL,
    slots          INTEGER       NOT NULL,
    tags           VARCHAR(1000) NOT NULL,
    fovea_version  VARCHAR(100)  NOT NULL,
    state          VARCHAR(16)   NOT NULL,
    started_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    heartbeat_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    stopped_at     TIMESTAMP WITH TIME ZONE,
    version        INTEGER       NOT NULL DEFAULT 0
);

-- What runs on a worker now: its attempts still running.
CREATE INDEX trial_attempt_running ON trial_attempt (outcome, worker);
