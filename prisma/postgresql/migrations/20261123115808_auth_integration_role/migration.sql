-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'integration';
