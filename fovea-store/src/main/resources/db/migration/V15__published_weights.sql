-- Published weights installed under a name (fovea weights import / fetch): a network of one architecture with a
-- file's parameters, kept as a blob in the engine's format so that every machine can train from it.
-- Same rule as V1: only SQL that H2 (MODE=PostgreSQL) and PostgreSQL both accept.

-- skipped: the tensors --partial left out, one per line with the reason. head_classes: the outputs of the file's
-- classification head (0: not loaded); network_classes: the outputs of the stored network (1 as a placeholder
-- without a head). input_size, mean and std (comma-separated) are the preprocessing the weights were trained with.
-- source is the URL or the file name it came from; file_sha256 and file_bytes describe that file as read.
CREATE TABLE published_weights (
    name             VARCHAR(63)   NOT NULL PRIMARY KEY,
    arch             VARCHAR(32)   NOT NULL,
    tensors          INTEGER       NOT NULL,
    skipped          VARCHAR       NOT NULL,
    head_classes     INTEGER       NOT NULL,
    network_classes  INTEGER       NOT NULL,
    input_size       INTEGER       NOT NULL,
    mean             VARCHAR(100)  NOT NULL,
    std              VARCHAR(100)  NOT NULL,
    blob_sha256      CHAR(64)      NOT NULL,
    blob_bytes       BIGINT        NOT NULL,
    source           VARCHAR(2000) NOT NULL,
    file_sha256      CHAR(64)      NOT NULL,
    file_bytes       BIGINT        NOT NULL,
    file_format      VARCHAR(16)   NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL
);
