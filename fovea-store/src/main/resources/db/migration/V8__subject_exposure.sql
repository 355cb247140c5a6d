-- The exposure of an image's subject without its plain background (ImageMetrics.Subject), which the dark and
-- overexposed checks judge. NULL in rows measured before this version: the store leaves those out, so the next
-- check measures them again and replaces them.
ALTER TABLE image_metrics ADD COLUMN background_fraction DOUBLE PRECISION;
ALTER TABLE image_metrics ADD COLUMN subject_brightness DOUBLE PRECISION;
ALTER TABLE image_metrics ADD COLUMN subject_dark_fraction DOUBLE PRECISION;
ALTER TABLE image_metrics ADD COLUMN subject_bright_fraction DOUBLE PRECISION;
ALTER TABLE image_metrics ADD COLUMN subject_contrast DOUBLE PRECISION;
