-- A reviewer removed from a project keeps the row (rate and currency) that their past reviews are paid by: the
-- reviewers page and the pay report show them, marked removed; they can no longer claim or review. Adding them
-- again clears it.
ALTER TABLE project_reviewer ADD COLUMN removed_at TIMESTAMP WITH TIME ZONE;
