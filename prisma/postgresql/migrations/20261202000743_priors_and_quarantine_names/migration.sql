-- AlterTable
ALTER TABLE "QuarantinedInput" ADD COLUMN     "fileName" TEXT;

-- CreateIndex
CREATE INDEX "Study_PatientID_idx" ON "Study"("PatientID");
