-- Role gains "integration" (service accounts that send studies). SQLite stores enums as TEXT
-- without a CHECK constraint, so nothing changes here; the file keeps both folders in step.
SELECT 1;
