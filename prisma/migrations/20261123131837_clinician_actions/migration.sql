-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN "ip" TEXT;

-- AlterTable
ALTER TABLE "Study" ADD COLUMN "escalatedAt" DATETIME;

-- CreateTable
CREATE TABLE "StudyFeedback" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "studyId" TEXT NOT NULL,
    "userId" TEXT,
    "verdict" TEXT NOT NULL,
    "comment" TEXT,
    "flagged" BOOLEAN NOT NULL,
    "modelName" TEXT,
    "modelVersion" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "StudyFeedback_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "StudyFeedback_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "StudyFeedback_studyId_createdAt_idx" ON "StudyFeedback"("studyId", "createdAt");

-- CreateIndex
CREATE INDEX "StudyFeedback_createdAt_idx" ON "StudyFeedback"("createdAt");

-- Added by hand: an escalated study stays in the top worklist tier while it is open, whichever
-- writer rewrites priorityTier (provisional rescoring, finalisation, the aging sweep), so no code
-- path can silently undo a clinician's escalation. The Prisma schema has no triggers; the differ
-- neither writes nor sees this one. SQLite rebuilds a table it alters: a later migration that
-- redefines "Study" must re-create it (server/triage/study-actions.test.ts fails otherwise).
CREATE TRIGGER "Study_escalated_stays_on_top" AFTER UPDATE OF "priorityTier", "status", "escalatedAt" ON "Study"
WHEN NEW."escalatedAt" IS NOT NULL AND NEW."status" IN ('receiving', 'analysing', 'triaged', 'in_review') AND NEW."priorityTier" <> 0
BEGIN
    UPDATE "Study" SET "priorityTier" = 0 WHERE "id" = NEW."id";
END;
