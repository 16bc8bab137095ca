import path from "node:path";
import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";
import { toJobDto } from "@/lib/db/jobs";
import { AppError, isAppError } from "@/lib/errors";
import { room } from "@/lib/realtime/events";
import { emitTo } from "@/lib/realtime/io-registry";
import { toWire } from "@/lib/realtime/to-wire";
import { type ActiveJob, activeJobs, soleJobTypes } from "./active-jobs";
import { JobLogWriter } from "./job-log-writer";
import type { JobContext, JobState, StartJobOptions } from "./job-types";
import { removeTempPaths } from "./remove-temp-paths";

const EMIT_MS = 100;
const SAVE_MS = 1000;

/**
 * Creates the job row and returns its id at once; `run` starts on the next tick. Progress and log lines go
 * to the Socket.IO room `job:<id>` and to the database. Temporary paths are removed when the job ends.
 * With `hold` (an exclusive hold of the image gate, reserved by the caller), `run` starts only once the hold is
 * ready (the job shows what it waits for, and can be cancelled meanwhile), and the hold is released when the
 * job ends, whatever the outcome, or at once if the job cannot be created.
 */
export async function startJob<R>(opts: StartJobOptions<R>): Promise<string> {
  if (opts.sole) {
    if (soleJobTypes.has(opts.type)) {
      await opts.hold?.release();
      throw new AppError("conflict", `A ${opts.type} job is already running; wait for it or cancel it.`, {
        details: { reason: "job-running", type: opts.type },
      });
    }
    soleJobTypes.add(opts.type);
  }
  let id: string;
  try {
    id = await prisma.$transaction(
      async (tx) => {
        const job = await tx.job.create({
          data: {
            type: opts.type,
            ownerId: opts.user?.id ?? null,
            ownerName: opts.user?.username ?? "system",
            image: opts.image ?? null,
            node: opts.node ?? null,
            unit: opts.unit,
            total: opts.total ?? null,
            params: opts.params === undefined ? null : JSON.stringify(opts.params),
          },
        });
        await recordAudit(tx, {
          user: opts.user,
          action: opts.type,
          image: opts.image,
          node: opts.node,
          outcome: "started",
          detail: { jobId: job.id, params: opts.params },
        });
        return job.id;
      },
      // Saves record themselves in transactions of their own, each up to its file write: behind a stream of them
      // (those already in the image's gate; the hold keeps new ones out) Prisma's 2 s default is too short.
      { maxWait: 10_000 },
    );
  } catch (e) {
    if (opts.sole) soleJobTypes.delete(opts.type);
    await opts.hold?.release();
    throw e;
  }
  opts.hold?.attachJob(id);
  console.log(
    `job ${id} ${opts.type}${opts.image ? ` image=${opts.image}` : ""}${opts.node ? ` node=${opts.node}` : ""} started by ${opts.user?.username ?? "system"}`,
  );
  const active: ActiveJob = {
    id,
    ownerId: opts.user?.id ?? null,
    controller: new AbortController(),
    log: new JobLogWriter(id),
    finished: Promise.resolve(),
  };
  activeJobs.set(id, active);
  active.finished = new Promise((resolve) => setImmediate(() => void runJob(active, opts).finally(resolve)));
  return id;
}

async function runJob<R>(active: ActiveJob, opts: StartJobOptions<R>): Promise<void> {
  const { id, controller, log } = active;
  const tempPaths: string[] = [];
  const live = { done: 0, total: opts.total ?? null, message: null as string | null };
  let lastSave = 0;
  let emitTimer: NodeJS.Timeout | undefined;
  const emitNow = () => {
    clearTimeout(emitTimer);
    emitTimer = undefined;
    emitTo(room.job(id), "job:update", { id, state: "running", ...live });
  };
  const touch = () => {
    emitTimer ??= setTimeout(emitNow, EMIT_MS);
    if (Date.now() - lastSave >= SAVE_MS) {
      lastSave = Date.now();
      void prisma.job.update({ where: { id }, data: live }).catch((e) => console.error(`job ${id}: progress not saved`, e));
    }
  };
  const ctx: JobContext = {
    jobId: id,
    signal: controller.signal,
    progress(done, total) {
      live.done = done;
      if (total !== undefined) live.total = total;
      touch();
    },
    log: (line, stream) => log.add(line, stream),
    message(text) {
      live.message = text.slice(0, 500);
      touch();
    },
    async addTempPath(p) {
      // Only absolute paths below the root: these are removed recursively.
      if (!path.isAbsolute(p) || path.resolve(p) === "/") throw new AppError("internal", `refusing temporary path ${p}`);
      tempPaths.push(path.resolve(p));
      await prisma.job.update({ where: { id }, data: { tempPaths: JSON.stringify(tempPaths) } });
    },
    withoutXcatLock: (fn) => (opts.hold ? opts.hold.withoutXcatLock(fn) : fn()),
  };

  let state: JobState = "succeeded";
  let error: string | null = null;
  let result: R | undefined;
  try {
    const started = await prisma.job.update({ where: { id }, data: { state: "running", startedAt: new Date() } });
    emitTo(room.job(id), "job:update", toWire(toJobDto(started)));
    announceJob(started);
    if (controller.signal.aborted) throw controller.signal.reason;
    if (opts.hold) {
      await opts.hold.ready({ signal: controller.signal, onWait: (m) => ctx.message(m) });
      live.message = null; // the wait is over: the job's own messages follow
    }
    result = await opts.run(ctx);
  } catch (e) {
    const reason = controller.signal.aborted ? (controller.signal.reason as Error | undefined) : undefined;
    state = !reason ? "failed" : reason.name === "ServerStoppingError" ? "interrupted" : "cancelled";
    error = reason ? String(reason.message ?? "cancelled") : describe(e);
    log.add(`${state}: ${error}`, "stderr");
    if (state === "failed" && !isAppError(e)) console.error(`job ${id} (${opts.type}) failed`, e);
  }
  clearTimeout(emitTimer);
  // Progress totals are often estimates (a pack counts the tree before the exlist drops files): a job that
  // succeeded is complete, so its bar ends full rather than at 98 %.
  if (state === "succeeded" && live.total != null) live.done = live.total;
  await opts.hold?.release();
  const leftovers = await removeTempPaths(tempPaths);
  if (leftovers.length) log.add(`could not remove temporary paths: ${leftovers.join(", ")}`, "stderr");
  await log.close();
  const final = await prisma.$transaction(async (tx) => {
    const row = await tx.job.update({
      where: { id },
      data: {
        ...live,
        // A status text like "hashing the copy" would read as still going; failures keep the last one.
        message: state === "succeeded" ? null : live.message,
        state,
        error,
        result: result === undefined ? null : JSON.stringify(result),
        tempPaths: leftovers.length ? JSON.stringify(leftovers) : null,
        finishedAt: new Date(),
      },
    });
    const outcome = state === "succeeded" ? "ok" : state === "failed" ? "error" : state;
    await recordAudit(tx, {
      user: opts.user,
      action: opts.type,
      image: opts.image,
      node: opts.node,
      outcome,
      detail: error ? { jobId: id, error } : { jobId: id },
    });
    return row;
  });
  // One line per job end in the service log; an expected failure (AppError) is this line only, no stack.
  console.log(`job ${id} ${opts.type} ${state}${error ? `: ${error.split("\n")[0]}` : ""}`);
  activeJobs.delete(id);
  if (opts.sole) soleJobTypes.delete(opts.type);
  emitTo(room.job(id), "job:update", toWire(toJobDto(final)));
  announceJob(final);
}

/** Tells the jobs list, and the images list for a job on an image (workspace and last job), to refetch. */
function announceJob(job: { id: string; state: string; image: string | null }): void {
  emitTo(room.jobs(), "jobs:changed", { id: job.id, state: job.state as JobState, image: job.image });
  if (job.image) emitTo(room.images(), "images:changed", { image: job.image, reason: "job" });
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
