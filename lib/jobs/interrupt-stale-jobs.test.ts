import "@/lib/db/test-database";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { testDataDir } from "@/lib/db/test-database";
import { interruptStaleJobs } from "./interrupt-stale-jobs";

describe("interruptStaleJobs (server start-up)", () => {
  it("marks jobs left running or queued by a dead process as interrupted and removes their temp paths", async () => {
    // What a crashed server leaves behind: rows still running/queued and a half-written temporary tree.
    const tmp = path.join(testDataDir, "half-unpacked");
    mkdirSync(path.join(tmp, "etc"), { recursive: true });
    writeFileSync(path.join(tmp, "etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
    const running = await prisma.job.create({
      data: { type: "image.unpack", ownerName: "alice", image: "demo", state: "running", tempPaths: JSON.stringify([tmp]) },
    });
    await prisma.jobLog.create({ data: { jobId: running.id, seq: 1, line: "unpacking" } });
    const queued = await prisma.job.create({ data: { type: "image.pack", ownerName: "bob", state: "queued" } });
    const done = await prisma.job.create({ data: { type: "image.pack", ownerName: "bob", state: "succeeded" } });

    expect(await interruptStaleJobs()).toBe(2);

    expect(existsSync(tmp)).toBe(false);
    for (const id of [running.id, queued.id]) {
      const j = await prisma.job.findUniqueOrThrow({ where: { id } });
      expect(j.state).toBe("interrupted");
      expect(j.finishedAt).not.toBeNull();
      expect(j.tempPaths).toBeNull();
    }
    expect((await prisma.job.findUniqueOrThrow({ where: { id: done.id } })).state).toBe("succeeded");
    const log = await prisma.jobLog.findMany({ where: { jobId: running.id }, orderBy: { seq: "asc" } });
    expect(log.map((l) => l.seq)).toEqual([1, 2]);
    expect(log[1].line).toMatch(/^interrupted: /);
    const audit = await prisma.auditLog.findFirst({ where: { action: "image.unpack", outcome: "interrupted" } });
    expect(audit).toMatchObject({ username: "alice", image: "demo" });
    // A second start finds nothing left to do.
    expect(await interruptStaleJobs()).toBe(0);
  });
});
