-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "ip" TEXT;

-- AlterTable
ALTER TABLE "Study" ADD COLUMN     "escalatedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "StudyFeedback" (
    "id" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "userId" TEXT,
    "verdict" TEXT NOT NULL,
    "comment" TEXT,
    "flagged" BOOLEAN NOT NULL,
    "modelName" TEXT,
    "modelVersion" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StudyFeedback_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "StudyFeedback_studyId_createdAt_idx" ON "StudyFeedback"("studyId", "createdAt");

-- CreateIndex
CREATE INDEX "StudyFeedback_createdAt_idx" ON "StudyFeedback"("createdAt");

-- AddForeignKey
ALTER TABLE "StudyFeedback" ADD CONSTRAINT "StudyFeedback_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StudyFeedback" ADD CONSTRAINT "StudyFeedback_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Added by hand: an escalated study stays in the top worklist tier while it is open, whichever
-- writer rewrites priorityTier (provisional rescoring, finalisation, the aging sweep), so no code
-- path can silently undo a clinician's escalation. The differ neither writes nor sees this;
-- server/triage/study-actions.test.ts checks it.
CREATE FUNCTION "Study_keep_escalated_on_top"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW."escalatedAt" IS NOT NULL AND NEW."status" IN ('receiving', 'analysing', 'triaged', 'in_review') THEN
        NEW."priorityTier" := 0;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER "Study_escalated_stays_on_top" BEFORE UPDATE ON "Study"
    FOR EACH ROW EXECUTE FUNCTION "Study_keep_escalated_on_top"();
