-- CreateTable
CREATE TABLE "ImageHold" (
    "image" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "userId" TEXT,
    "username" TEXT NOT NULL,
    "jobId" TEXT,
    "since" DATETIME NOT NULL,
    "pid" INTEGER NOT NULL
);
