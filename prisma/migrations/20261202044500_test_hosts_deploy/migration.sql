-- CreateTable
CREATE TABLE "TestHost" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "memoryMb" INTEGER NOT NULL DEFAULT 512,
    "image" TEXT NOT NULL,
    "kcmdline" TEXT NOT NULL DEFAULT '',
    "nic" TEXT,
    "versionSeq" INTEGER,
    "bootTimeoutSec" INTEGER NOT NULL DEFAULT 180,
    "status" TEXT NOT NULL DEFAULT 'off',
    "statusAt" DATETIME,
    "message" TEXT,
    "pid" INTEGER,
    "bootedUuid" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "DeployTarget" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "jobId" TEXT NOT NULL,
    "node" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "image" TEXT NOT NULL,
    "versionSeq" INTEGER NOT NULL,
    "expectedUuid" TEXT,
    "seenUuid" TEXT,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "message" TEXT,
    "history" TEXT NOT NULL DEFAULT '[]',
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "DeployTarget_jobId_idx" ON "DeployTarget"("jobId");

-- CreateIndex
CREATE INDEX "DeployTarget_node_idx" ON "DeployTarget"("node");
