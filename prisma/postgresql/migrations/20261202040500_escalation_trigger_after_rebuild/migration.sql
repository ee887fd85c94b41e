-- Counterpart of the SQLite migration of the same name (one schema history on both providers).
-- PostgreSQL alters "Study" in place, so its escalation trigger was never dropped: nothing to
-- re-create. A no-op statement, so the migration is an ordinary, recorded one.
SELECT 1;
