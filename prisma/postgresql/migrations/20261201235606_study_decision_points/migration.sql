-- AlterTable
ALTER TABLE "Study" ADD COLUMN     "decisionPoint" TEXT;

-- CreateTable
CREATE TABLE "OperatingPointChange" (
    "id" TEXT NOT NULL,
    "modelName" TEXT NOT NULL,
    "modelVersion" TEXT NOT NULL,
    "points" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "setAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "setByUsername" TEXT,

    CONSTRAINT "OperatingPointChange_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "OperatingPointChange_modelName_modelVersion_setAt_idx" ON "OperatingPointChange"("modelName", "modelVersion", "setAt");

-- Added by hand (issue 12 item 1): an escalated study sorts first, whatever its score or analysis
-- state. It used to share tier 0 with flagged studies, where the "any" probability then put an
-- escalated low-score (or not analysable, unscored) study below every flagged one. Escalated open
-- studies now have their own tier, -1; the trigger keeps it whichever writer rewrites priorityTier.
CREATE OR REPLACE FUNCTION "Study_keep_escalated_on_top"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW."escalatedAt" IS NOT NULL AND NEW."status" IN ('receiving', 'analysing', 'triaged', 'in_review') THEN
        NEW."priorityTier" := -1;
    END IF;
    RETURN NEW;
END
$$;
UPDATE "Study" SET "priorityTier" = -1 WHERE "escalatedAt" IS NOT NULL AND "status" IN ('receiving', 'analysing', 'triaged', 'in_review');
