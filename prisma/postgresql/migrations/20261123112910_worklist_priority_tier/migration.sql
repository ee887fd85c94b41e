-- DropIndex
DROP INDEX "Study_flagged_anyProbability_receivedAt_id_idx";

-- AlterTable
ALTER TABLE "Study" ADD COLUMN     "priorityTier" INTEGER NOT NULL DEFAULT 2;

-- CreateIndex
-- Edited by hand: NULLS LAST (Prisma cannot express it, and its differ ignores it), so unscored
-- studies sort last within their tier, as they do in SQLite.
CREATE INDEX "Study_priorityTier_anyProbability_receivedAt_id_idx" ON "Study"("priorityTier", "anyProbability" DESC NULLS LAST, "receivedAt", "id");
