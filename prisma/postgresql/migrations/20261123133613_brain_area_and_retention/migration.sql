-- AlterTable
ALTER TABLE "Instance" ADD COLUMN     "brainAreaMm2" DOUBLE PRECISION;

-- AlterTable
ALTER TABLE "Study" ADD COLUMN     "filesPurgedAt" TIMESTAMP(3);
