-- Image checks and curation. Same rule as V1: only SQL that H2 (MODE=PostgreSQL) and PostgreSQL both accept.

-- An admin's decision on an image after the checks: 'kept' or 'rejected'; NULL while undecided.
ALTER TABLE image ADD COLUMN curation VARCHAR(16);
ALTER TABLE image ADD COLUMN curated_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE image ADD COLUMN curated_by VARCHAR(64);
CREATE INDEX image_project_curation ON image (project_id, curation);

-- What the checks measured on an image's pixels (one row per image, replaced when measured again).
CREATE TABLE image_metrics (
    project_id       UUID              NOT NULL,
    sha256           CHAR(64)          NOT NULL,
    sharpness        DOUBLE PRECISION  NOT NULL,
    brightness       DOUBLE PRECISION  NOT NULL,
    dark_fraction    DOUBLE PRECISION  NOT NULL,
    bright_fraction  DOUBLE PRECISION  NOT NULL,
    contrast         DOUBLE PRECISION  NOT NULL,
    entropy          DOUBLE PRECISION  NOT NULL,
    phash            BIGINT            NOT NULL,
    width            INTEGER           NOT NULL,
    height           INTEGER           NOT NULL,
    measured_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (project_id, sha256),
    FOREIGN KEY (project_id, sha256) REFERENCES image (project_id, sha256)
);

-- The findings of the last check run of a project; all replaced together when the checks run again.
-- of_sha256 names the image a duplicate copies, NULL for every other flag.
CREATE TABLE image_flag (
    project_id   UUID              NOT NULL,
    sha256       CHAR(64)          NOT NULL,
    name         VARCHAR(32)       NOT NULL,
    score        DOUBLE PRECISION  NOT NULL,
    explanation  VARCHAR(1000)     NOT NULL,
    of_sha256    CHAR(64),
    PRIMARY KEY (project_id, sha256, name),
    FOREIGN KEY (project_id, sha256) REFERENCES image (project_id, sha256)
);
CREATE INDEX image_flag_project_name ON image_flag (project_id, name);

-- When the checks last ran on a project.
CREATE TABLE project_check (
    project_id  UUID  NOT NULL PRIMARY KEY REFERENCES project (id),
    checked_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- A project's overrides of the check thresholds (keys of CheckThresholds.toMap()), as text.
-- The column is value_text because VALUE is a keyword in H2.
CREATE TABLE check_threshold (
    project_id  UUID         NOT NULL REFERENCES project (id),
    name        VARCHAR(64)  NOT NULL,
    value_text  VARCHAR(64)  NOT NULL,
    PRIMARY KEY (project_id, name)
);
