-- One feature vector per (image, network): what a network's last layer takes, as little-endian float32s.
-- network names where it came from (run:7, model:birds:3, weights:resnet18-imagenet); computed once, reused.
CREATE TABLE image_embedding (
    project_id  UUID          NOT NULL,
    network     VARCHAR(200)  NOT NULL,
    sha256      CHAR(64)      NOT NULL,
    vector      BYTEA         NOT NULL,
    PRIMARY KEY (project_id, network, sha256),
    FOREIGN KEY (project_id, sha256) REFERENCES image (project_id, sha256)
);

-- Which network a project's embeddings come from (fovea check --embeddings --network REF sets it).
CREATE TABLE project_embedding_network (
    project_id  UUID          NOT NULL PRIMARY KEY REFERENCES project (id),
    network     VARCHAR(200)  NOT NULL
);
