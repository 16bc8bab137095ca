-- CreateTable
CREATE TABLE "CommandRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "image" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'command',
    "line" TEXT NOT NULL,
    "userId" TEXT,
    "username" TEXT NOT NULL,
    "jobId" TEXT,
    "state" TEXT NOT NULL DEFAULT 'running',
    "exitCode" INTEGER,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "durationMs" INTEGER,
    "mode" TEXT NOT NULL DEFAULT 'overlay',
    "options" TEXT,
    "output" TEXT,
    "effect" TEXT,
    "effectState" TEXT NOT NULL DEFAULT 'none',
    "appliedAt" DATETIME,
    "appliedBy" TEXT,
    "runDir" TEXT,
    "error" TEXT
);

-- CreateIndex
CREATE INDEX "CommandRun_image_startedAt_idx" ON "CommandRun"("image", "startedAt");

-- CreateIndex
CREATE INDEX "CommandRun_state_idx" ON "CommandRun"("state");
