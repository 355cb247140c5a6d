-- likely_mislabelled flags: the class an image more likely shows, and its rank among the project's likely label
-- errors (1: the likeliest). NULL for every other flag.
ALTER TABLE image_flag ADD COLUMN suggested VARCHAR(200);
ALTER TABLE image_flag ADD COLUMN finding_rank INTEGER;
