-- AlterTable
ALTER TABLE "Instance" ADD COLUMN "brainAreaMm2" REAL;

-- AlterTable
ALTER TABLE "Study" ADD COLUMN "filesPurgedAt" DATETIME;
