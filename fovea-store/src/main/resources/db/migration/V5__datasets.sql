-- Dataset versions: frozen, content-hashed snapshots of a project's labelled images with a fixed split.
-- Same rule as V1: only SQL that H2 (MODE=PostgreSQL) and PostgreSQL both accept.

-- number counts per project from 1; the primary key gives each number to one freeze only, on every machine at once.
-- hash is the SHA-256 of the items and split settings; images is the number of items.
CREATE TABLE dataset_version (
    project_id           UUID              NOT NULL REFERENCES project (id),
    number               INTEGER           NOT NULL,
    hash                 CHAR(64)          NOT NULL,
    seed                 BIGINT            NOT NULL,
    validation_fraction  DOUBLE PRECISION  NOT NULL,
    test_fraction        DOUBLE PRECISION  NOT NULL,
    images               INTEGER           NOT NULL,
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (project_id, number)
);

-- The images of a version with their label at freeze time and their split ('train', 'validation', 'test').
CREATE TABLE dataset_item (
    project_id  UUID          NOT NULL,
    number      INTEGER       NOT NULL,
    sha256      CHAR(64)      NOT NULL,
    label       VARCHAR(100)  NOT NULL,
    split       VARCHAR(16)   NOT NULL,
    PRIMARY KEY (project_id, number, sha256),
    FOREIGN KEY (project_id, number) REFERENCES dataset_version (project_id, number),
    FOREIGN KEY (project_id, sha256) REFERENCES image (project_id, sha256)
);
