-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Study" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "StudyInstanceUID" TEXT NOT NULL,
    "PatientID" TEXT,
    "PatientName" TEXT,
    "PatientSex" TEXT,
    "PatientBirthDate" TEXT,
    "PatientAge" TEXT,
    "AccessionNumber" TEXT,
    "StudyDescription" TEXT,
    "StudyDate" TEXT,
    "status" TEXT NOT NULL DEFAULT 'receiving',
    "outcome" TEXT,
    "notAnalysableReason" TEXT,
    "flagged" BOOLEAN NOT NULL DEFAULT false,
    "priorityTier" INTEGER NOT NULL DEFAULT 2,
    "anyProbability" REAL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSliceAt" DATETIME,
    "expectedSliceCount" INTEGER,
    "completedAt" DATETIME,
    "triagedAt" DATETIME,
    "possiblyIncomplete" BOOLEAN NOT NULL DEFAULT false,
    "chosenSeriesId" TEXT,
    "seriesChoiceReason" TEXT,
    "modelName" TEXT,
    "modelVersion" TEXT,
    "modelProvider" TEXT,
    "aggregationMethod" TEXT,
    "epiduralProbability" REAL,
    "intraparenchymalProbability" REAL,
    "intraventricularProbability" REAL,
    "subarachnoidProbability" REAL,
    "subduralProbability" REAL,
    "epiduralFlagged" BOOLEAN NOT NULL DEFAULT false,
    "intraparenchymalFlagged" BOOLEAN NOT NULL DEFAULT false,
    "intraventricularFlagged" BOOLEAN NOT NULL DEFAULT false,
    "subarachnoidFlagged" BOOLEAN NOT NULL DEFAULT false,
    "subduralFlagged" BOOLEAN NOT NULL DEFAULT false,
    "decisionPoint" TEXT,
    "escalatedAt" DATETIME,
    "filesPurgedAt" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Study_chosenSeriesId_fkey" FOREIGN KEY ("chosenSeriesId") REFERENCES "Series" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Study" ("AccessionNumber", "PatientAge", "PatientBirthDate", "PatientID", "PatientName", "PatientSex", "StudyDate", "StudyDescription", "StudyInstanceUID", "aggregationMethod", "anyProbability", "chosenSeriesId", "completedAt", "decisionPoint", "epiduralFlagged", "epiduralProbability", "escalatedAt", "expectedSliceCount", "filesPurgedAt", "flagged", "id", "intraparenchymalFlagged", "intraparenchymalProbability", "intraventricularFlagged", "intraventricularProbability", "lastSliceAt", "modelName", "modelProvider", "modelVersion", "notAnalysableReason", "outcome", "priorityTier", "receivedAt", "seriesChoiceReason", "status", "subarachnoidFlagged", "subarachnoidProbability", "subduralFlagged", "subduralProbability", "triagedAt", "updatedAt", "version") SELECT "AccessionNumber", "PatientAge", "PatientBirthDate", "PatientID", "PatientName", "PatientSex", "StudyDate", "StudyDescription", "StudyInstanceUID", "aggregationMethod", "anyProbability", "chosenSeriesId", "completedAt", "decisionPoint", "epiduralFlagged", "epiduralProbability", "escalatedAt", "expectedSliceCount", "filesPurgedAt", "flagged", "id", "intraparenchymalFlagged", "intraparenchymalProbability", "intraventricularFlagged", "intraventricularProbability", "lastSliceAt", "modelName", "modelProvider", "modelVersion", "notAnalysableReason", "outcome", "priorityTier", "receivedAt", "seriesChoiceReason", "status", "subarachnoidFlagged", "subarachnoidProbability", "subduralFlagged", "subduralProbability", "triagedAt", "updatedAt", "version" FROM "Study";
DROP TABLE "Study";
ALTER TABLE "new_Study" RENAME TO "Study";
CREATE UNIQUE INDEX "Study_StudyInstanceUID_key" ON "Study"("StudyInstanceUID");
CREATE UNIQUE INDEX "Study_chosenSeriesId_key" ON "Study"("chosenSeriesId");
CREATE INDEX "Study_priorityTier_anyProbability_receivedAt_id_status_idx" ON "Study"("priorityTier", "anyProbability" DESC, "receivedAt", "id", "status");
CREATE INDEX "Study_receivedAt_idx" ON "Study"("receivedAt");
CREATE INDEX "Study_PatientID_idx" ON "Study"("PatientID");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
