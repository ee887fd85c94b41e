-- DropIndex
DROP INDEX "Instance_studyId_idx";

-- DropIndex
DROP INDEX "Study_priorityTier_anyProbability_receivedAt_id_idx";

-- CreateIndex
CREATE INDEX "Instance_studyId_decodeStatus_idx" ON "Instance"("studyId", "decodeStatus");

-- CreateIndex
-- Edited by hand: NULLS LAST (Prisma cannot express it, and its differ ignores it).
CREATE INDEX "Study_priorityTier_anyProbability_receivedAt_id_status_idx" ON "Study"("priorityTier", "anyProbability" DESC NULLS LAST, "receivedAt", "id", "status");
