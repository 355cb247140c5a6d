-- The model registry: numbered versions per model name, the ordered classes of each version, and aliases
-- ('production', 'staging', any name) pointing at a version.
-- Same rule as V1: only SQL that H2 (MODE=PostgreSQL) and PostgreSQL both accept.

-- version counts per name from 1; the primary key gives each number to one registration only, on every machine at
-- once. A version is written once and never changed. run_id names the run the model was made from (null for a
-- model trained elsewhere and imported). format is 'fovea', 'torchscript' or 'onnx'; bundle_sha256 and bundle_bytes
-- name the bundle's blob.
CREATE TABLE model_version (
    name           VARCHAR(63)   NOT NULL,
    version        INTEGER       NOT NULL,
    project_id     UUID          NOT NULL REFERENCES project (id),
    run_id         BIGINT        REFERENCES run (id),
    format         VARCHAR(16)   NOT NULL,
    bundle_sha256  CHAR(64)      NOT NULL,
    bundle_bytes   BIGINT        NOT NULL,
    description    VARCHAR,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (name, version)
);

-- The class names a version predicts, in the order of its outputs (position counts from 0).
CREATE TABLE model_version_class (
    name        VARCHAR(63)   NOT NULL,
    version     INTEGER       NOT NULL,
    position    INTEGER       NOT NULL,
    class_name  VARCHAR(100)  NOT NULL,
    PRIMARY KEY (name, version, position),
    FOREIGN KEY (name, version) REFERENCES model_version (name, version)
);

-- An alias of a model name and the version it points at; moving it is one row update.
CREATE TABLE model_alias (
    name        VARCHAR(63)  NOT NULL,
    alias       VARCHAR(63)  NOT NULL,
    version     INTEGER      NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (name, alias),
    FOREIGN KEY (name, version) REFERENCES model_version (name, version)
);
