-- What near-duplicate search compares (ImageMetrics.fingerprint): hashes and 16x16 thumbnails of the picture and
-- of centred crops of it. NULL in rows measured before this version: the store leaves those out, so the next check
-- measures them again and replaces them.
ALTER TABLE image_metrics ADD COLUMN fingerprint BYTEA;
