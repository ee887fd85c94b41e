-- 20261202030512_possibly_incomplete rebuilt "Study" (SQLite cannot add a column with its
-- constraints in place), and DROP TABLE took the escalation trigger with it, so an escalated study
-- could fall out of tier -1 on SQLite (server/triage/study-actions.test.ts). Re-create it, and put
-- back the tier of escalated open studies that were re-ranked meanwhile.
-- server/db/sqlite-triggers-survive.test.ts now fails on any rebuild that forgets a trigger.
DROP TRIGGER IF EXISTS "Study_escalated_stays_on_top";
CREATE TRIGGER "Study_escalated_stays_on_top" AFTER UPDATE OF "priorityTier", "status", "escalatedAt" ON "Study"
WHEN NEW."escalatedAt" IS NOT NULL AND NEW."status" IN ('receiving', 'analysing', 'triaged', 'in_review') AND NEW."priorityTier" <> -1
BEGIN
    UPDATE "Study" SET "priorityTier" = -1 WHERE "id" = NEW."id";
END;
UPDATE "Study" SET "priorityTier" = -1 WHERE "escalatedAt" IS NOT NULL AND "status" IN ('receiving', 'analysing', 'triaged', 'in_review');
