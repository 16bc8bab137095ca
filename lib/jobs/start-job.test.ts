import "@/lib/db/test-database";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeUser } from "@/lib/auth/test-users";
import { prisma } from "@/lib/db/client";
import { testDataDir } from "@/lib/db/test-database";
import { room } from "@/lib/realtime/events";
import { setIo } from "@/lib/realtime/io-registry";
import { activeJobs } from "./active-jobs";
import { cancelJob } from "./cancel-job";
import { startJob } from "./start-job";

/** What the assertions read of a job:log or jobs:changed payload. */
type Sent = { room: string; event: string; data: { id?: string; state?: string; lines: { line: string }[] } };
let sent: Sent[] = [];
setIo({
  to: (to) => ({
    emit: (event, named, data) => {
      // every room event names its room first (lib/realtime/events.ts)
      expect(named).toBe(to);
      sent.push({ room: to, event, data: data as Sent["data"] });
    },
  }),
});
afterEach(() => {
  sent = [];
});

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
const finished = (id: string) => activeJobs.get(id)?.finished ?? Promise.resolve();

let owner: Awaited<ReturnType<typeof makeUser>>;
beforeAll(async () => {
  owner = await makeUser("editor");
});

describe("startJob", () => {
  it("returns the id before the work is done, then stores progress, log and result", async () => {
    const gate = deferred();
    const id = await startJob({
      type: "test.count",
      user: owner.user,
      unit: "entries",
      total: 3,
      async run(ctx) {
        await gate.promise;
        for (let i = 1; i <= 3; i++) {
          ctx.log(`entry ${i}`, "stdout");
          ctx.progress(i);
        }
        return { counted: 3 };
      },
    });
    const early = await prisma.job.findUniqueOrThrow({ where: { id } });
    expect(["queued", "running"]).toContain(early.state);
    gate.resolve();
    await finished(id);
    const job = await prisma.job.findUniqueOrThrow({ where: { id } });
    expect(job).toMatchObject({ state: "succeeded", done: 3, total: 3, unit: "entries", ownerName: owner.user.username });
    expect(JSON.parse(job.result ?? "null")).toEqual({ counted: 3 });
    const lines = await prisma.jobLog.findMany({ where: { jobId: id }, orderBy: { seq: "asc" } });
    expect(lines.map((l) => [l.seq, l.line, l.stream])).toEqual([
      [1, "entry 1", "stdout"],
      [2, "entry 2", "stdout"],
      [3, "entry 3", "stdout"],
    ]);
    // Live events went to the job's room; the last one is the final state.
    const mine = sent.filter((s) => s.room === room.job(id));
    expect(mine.filter((s) => s.event === "job:log").flatMap((s) => s.data.lines.map((l) => l.line))).toEqual([
      "entry 1",
      "entry 2",
      "entry 3",
    ]);
    expect(mine.at(-1)).toMatchObject({ event: "job:update", data: { id, state: "succeeded", done: 3 } });
    const audit = await prisma.auditLog.findMany({ where: { action: "test.count" }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.outcome)).toEqual(["started", "ok"]);
    // The jobs list heard of the start and the end.
    expect(sent.filter((s) => s.room === room.jobs() && s.data.id === id).map((s) => s.data.state)).toEqual(["running", "succeeded"]);
  });

  it("ends a succeeded job at its total even when the estimate was not reached", async () => {
    const id = await startJob({
      type: "test.estimate",
      user: owner.user,
      unit: "bytes",
      total: 1000,
      async run(ctx) {
        ctx.progress(980); // e.g. a pack whose exlist dropped files counted in the estimate
      },
    });
    await finished(id);
    expect(await prisma.job.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: "succeeded", done: 1000, total: 1000 });
  });

  it("keeps a failed job's progress where it stopped", async () => {
    const id = await startJob({
      type: "test.estimate",
      user: owner.user,
      unit: "bytes",
      total: 1000,
      async run(ctx) {
        ctx.progress(400);
        throw new Error("disk full");
      },
    });
    await finished(id);
    expect(await prisma.job.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: "failed", done: 400 });
  });

  it("records a failure with its message", async () => {
    const id = await startJob({
      type: "test.fail",
      user: owner.user,
      unit: "steps",
      run: async () => {
        throw new Error("disk on fire");
      },
    });
    await finished(id);
    const job = await prisma.job.findUniqueOrThrow({ where: { id } });
    expect(job).toMatchObject({ state: "failed", error: "disk on fire" });
    const last = await prisma.jobLog.findFirst({ where: { jobId: id }, orderBy: { seq: "desc" } });
    expect(last?.line).toBe("failed: disk on fire");
  });

  it("refuses a second sole job of the same type with 409 until the first ends", async () => {
    const gate = deferred();
    const first = await startJob({ type: "test.sole", user: owner.user, unit: "steps", sole: true, run: () => gate.promise });
    await expect(startJob({ type: "test.sole", user: owner.user, unit: "steps", sole: true, run: async () => {} })).rejects.toMatchObject({
      code: "conflict",
    });
    gate.resolve();
    await finished(first);
    const again = await startJob({ type: "test.sole", user: owner.user, unit: "steps", sole: true, run: async () => {} });
    await finished(again);
    expect((await prisma.job.findUniqueOrThrow({ where: { id: again } })).state).toBe("succeeded");
  });
});

describe("cancelJob", () => {
  it("aborts the signal, ends as cancelled and removes the temporary paths", async () => {
    const tmp = path.join(testDataDir, "tmp-cancel");
    const started = deferred();
    const id = await startJob({
      type: "test.cancel",
      user: owner.user,
      unit: "steps",
      async run(ctx) {
        await ctx.addTempPath(tmp);
        mkdirSync(tmp);
        writeFileSync(path.join(tmp, "half-written"), "x");
        started.resolve();
        await new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)));
      },
    });
    await started.promise;
    const stranger = await makeUser("editor");
    await expect(cancelJob({ id, user: stranger.user })).rejects.toMatchObject({ code: "forbidden" });
    await cancelJob({ id, user: owner.user });
    await finished(id);
    const job = await prisma.job.findUniqueOrThrow({ where: { id } });
    expect(job.state).toBe("cancelled");
    expect(job.error).toBe(`cancelled by ${owner.user.username}`);
    expect(existsSync(tmp)).toBe(false);
    await expect(cancelJob({ id, user: owner.user })).rejects.toMatchObject({ code: "conflict" });
  });

  it("lets a reviewer cancel someone else's job", async () => {
    const id = await startJob({
      type: "test.cancel",
      user: owner.user,
      unit: "steps",
      run: (ctx) => new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason))),
    });
    const reviewer = await makeUser("reviewer");
    await cancelJob({ id, user: reviewer.user });
    await finished(id);
    expect((await prisma.job.findUniqueOrThrow({ where: { id } })).state).toBe("cancelled");
  });
});

describe("stopAllJobs (shutdown)", () => {
  it("aborts running jobs, which end as interrupted with their temp paths removed", async () => {
    const { stopAllJobs } = await import("./stop-all-jobs");
    const tmp = path.join(testDataDir, "tmp-shutdown");
    const started = deferred();
    const id = await startJob({
      type: "test.shutdown",
      user: owner.user,
      unit: "steps",
      async run(ctx) {
        await ctx.addTempPath(tmp);
        mkdirSync(tmp);
        started.resolve();
        await new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)));
      },
    });
    await started.promise;
    expect(await stopAllJobs(5000)).toBe(1);
    const job = await prisma.job.findUniqueOrThrow({ where: { id } });
    expect(job.state).toBe("interrupted");
    expect(existsSync(tmp)).toBe(false);
    const audit = await prisma.auditLog.findFirst({ where: { action: "test.shutdown" }, orderBy: { id: "desc" } });
    expect(audit?.outcome).toBe("interrupted");
  });
});
