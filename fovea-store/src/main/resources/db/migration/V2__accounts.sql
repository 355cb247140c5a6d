-- Users, API tokens and browser sessions. Same rule as V1: only SQL that H2 (MODE=PostgreSQL) and PostgreSQL
-- both accept. `user` is a reserved word in both, hence app_user.

CREATE TABLE app_user (
    id             UUID          NOT NULL PRIMARY KEY,
    name           VARCHAR(64)   NOT NULL,
    role           VARCHAR(16)   NOT NULL,
    password_hash  VARCHAR(255),
    disabled       BOOLEAN       NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    version        INTEGER       NOT NULL DEFAULT 0,
    CONSTRAINT app_user_name_unique UNIQUE (name)
);

-- Only the SHA-256 of a token's secret is kept; a token is found by it, so it is unique.
CREATE TABLE api_token (
    id            UUID          NOT NULL PRIMARY KEY,
    user_id       UUID          NOT NULL REFERENCES app_user (id),
    name          VARCHAR(100)  NOT NULL,
    scope         VARCHAR(16)   NOT NULL,
    secret_hash   CHAR(64)      NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    last_used_at  TIMESTAMP WITH TIME ZONE,
    revoked_at    TIMESTAMP WITH TIME ZONE,
    CONSTRAINT api_token_secret_hash_unique UNIQUE (secret_hash)
);
CREATE INDEX api_token_user ON api_token (user_id);

-- A browser login, keyed by the SHA-256 of its cookie value.
CREATE TABLE web_session (
    id_hash       CHAR(64)      NOT NULL PRIMARY KEY,
    user_id       UUID          NOT NULL REFERENCES app_user (id),
    csrf_token    VARCHAR(64)   NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
-- Expiry deletes by last_seen_at.
CREATE INDEX web_session_last_seen ON web_session (last_seen_at);
CREATE INDEX web_session_user ON web_session (user_id);
