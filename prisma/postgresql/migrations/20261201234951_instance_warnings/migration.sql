-- AlterTable
ALTER TABLE "Instance" ADD COLUMN     "warnings" JSONB;
