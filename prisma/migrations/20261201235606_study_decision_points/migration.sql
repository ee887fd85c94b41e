-- AlterTable
ALTER TABLE "Study" ADD COLUMN "decisionPoint" TEXT;

-- CreateTable
CREATE TABLE "OperatingPointChange" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "modelName" TEXT NOT NULL,
    "modelVersion" TEXT NOT NULL,
    "points" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "setAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "setByUsername" TEXT
);

-- CreateIndex
CREATE INDEX "OperatingPointChange_modelName_modelVersion_setAt_idx" ON "OperatingPointChange"("modelName", "modelVersion", "setAt");

-- Added by hand (issue 12 item 1): an escalated study sorts first, whatever its score or analysis
-- state. It used to share tier 0 with flagged studies, where the "any" probability then put an
-- escalated low-score (or not analysable, unscored) study below every flagged one. Escalated open
-- studies now have their own tier, -1; the trigger keeps it whichever writer rewrites priorityTier.
-- SQLite rebuilds a table it alters: a later migration that redefines "Study" must re-create this
-- trigger (server/triage/study-actions.test.ts fails otherwise).
DROP TRIGGER IF EXISTS "Study_escalated_stays_on_top";
CREATE TRIGGER "Study_escalated_stays_on_top" AFTER UPDATE OF "priorityTier", "status", "escalatedAt" ON "Study"
WHEN NEW."escalatedAt" IS NOT NULL AND NEW."status" IN ('receiving', 'analysing', 'triaged', 'in_review') AND NEW."priorityTier" <> -1
BEGIN
    UPDATE "Study" SET "priorityTier" = -1 WHERE "id" = NEW."id";
END;
UPDATE "Study" SET "priorityTier" = -1 WHERE "escalatedAt" IS NOT NULL AND "status" IN ('receiving', 'analysing', 'triaged', 'in_review');
