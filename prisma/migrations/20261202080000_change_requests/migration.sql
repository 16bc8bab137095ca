-- CreateTable
CREATE TABLE "ChangeRequest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "image" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "state" TEXT NOT NULL DEFAULT 'draft',
    "authorId" TEXT,
    "authorName" TEXT NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "baseSeq" INTEGER,
    "baseSha256" TEXT,
    "packedSeq" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "submittedAt" DATETIME
);

-- CreateTable
CREATE TABLE "ChangeRequestItem" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "requestId" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL,
    "path" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "letter" TEXT NOT NULL,
    "fields" TEXT,
    "before" TEXT,
    "after" TEXT,
    "beforeSha" TEXT,
    "afterSha" TEXT,
    "text" BOOLEAN NOT NULL DEFAULT false,
    "source" TEXT
);

-- CreateTable
CREATE TABLE "ChangeRequestBlob" (
    "sha256" TEXT NOT NULL PRIMARY KEY,
    "size" INTEGER NOT NULL,
    "data" BLOB NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ChangeRequestComment" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "requestId" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL,
    "path" TEXT,
    "line" INTEGER,
    "body" TEXT NOT NULL,
    "authorId" TEXT,
    "authorName" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ChangeRequestEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "requestId" INTEGER NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "userId" TEXT,
    "username" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "fromState" TEXT,
    "toState" TEXT,
    "detail" TEXT
);

-- CreateTable
CREATE TABLE "ReviewPolicy" (
    "image" TEXT NOT NULL PRIMARY KEY,
    "packRequiresApproval" BOOLEAN NOT NULL DEFAULT false,
    "deployRequiresApproval" BOOLEAN NOT NULL DEFAULT true,
    "updatedBy" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "ChangeRequest_image_state_idx" ON "ChangeRequest"("image", "state");

-- CreateIndex
CREATE INDEX "ChangeRequest_state_idx" ON "ChangeRequest"("state");

-- CreateIndex
CREATE UNIQUE INDEX "ChangeRequestItem_requestId_revision_path_key" ON "ChangeRequestItem"("requestId", "revision", "path");

-- CreateIndex
CREATE INDEX "ChangeRequestItem_requestId_idx" ON "ChangeRequestItem"("requestId");

-- CreateIndex
CREATE INDEX "ChangeRequestComment_requestId_idx" ON "ChangeRequestComment"("requestId");

-- CreateIndex
CREATE INDEX "ChangeRequestEvent_requestId_idx" ON "ChangeRequestEvent"("requestId");
