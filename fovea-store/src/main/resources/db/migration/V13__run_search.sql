-- What the runs table sorts and filters by, kept in the database so that a page of 10,000 runs costs what a page
-- of 10 does. Same rule as V1: only SQL that H2 (MODE=PostgreSQL) and PostgreSQL both accept.

-- Each run's metrics summed up per key: the minimum, the maximum and the value at the highest step. Every metric
-- write keeps it (JdbcRunStore.addMetrics), so a sort by a metric's best value reads one row per run.
CREATE TABLE run_metric_range (
    run_id        BIGINT            NOT NULL REFERENCES run (id),
    metric_key    VARCHAR(100)      NOT NULL,
    min_value     DOUBLE PRECISION  NOT NULL,
    max_value     DOUBLE PRECISION  NOT NULL,
    last_value    DOUBLE PRECISION  NOT NULL,
    last_step     BIGINT            NOT NULL,
    PRIMARY KEY (run_id, metric_key)
);
CREATE INDEX run_metric_range_max ON run_metric_range (metric_key, max_value);
CREATE INDEX run_metric_range_min ON run_metric_range (metric_key, min_value);

INSERT INTO run_metric_range (run_id, metric_key, min_value, max_value, last_value, last_step)
SELECT g.run_id, g.metric_key, g.min_value, g.max_value, l.metric_value, g.last_step
  FROM (SELECT run_id, metric_key, MIN(metric_value) AS min_value, MAX(metric_value) AS max_value,
               MAX(step) AS last_step
          FROM run_metric GROUP BY run_id, metric_key) g
  JOIN run_metric l ON l.run_id = g.run_id AND l.metric_key = g.metric_key AND l.step = g.last_step;

-- A param's value as a number where its text is one (lr 0.001, batch_size 32), so that params sort and compare as
-- numbers; null for text (optimizer adamw). JdbcRunStore fills it on insert; RunParamNumbers (V14) fills the rows
-- written before.
ALTER TABLE run_param ADD COLUMN value_number DOUBLE PRECISION;
CREATE INDEX run_param_name_number ON run_param (name, value_number);
