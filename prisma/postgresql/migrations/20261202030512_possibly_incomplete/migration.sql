-- AlterTable
ALTER TABLE "Study" ADD COLUMN     "possiblyIncomplete" BOOLEAN NOT NULL DEFAULT false;
