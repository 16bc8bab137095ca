import type { SessionUser } from "@/lib/auth/session";
import { checkImageShell } from "@/lib/chroot/check-image";
import { overlayUnusableReason } from "@/lib/chroot/overlay-probe";
import { prisma } from "@/lib/db/client";
import type { CommandRun } from "@/lib/db/generated/client";
import { getImageTree } from "@/lib/files/image-tree";
import type { JobContext } from "@/lib/jobs/job-types";
import { startJob } from "@/lib/jobs/start-job";
import { room } from "@/lib/realtime/events";
import { emitTo } from "@/lib/realtime/io-registry";
import { recordingFailure } from "./finish-run";
import { holdImage } from "./image-hold";
import { assertMayRunCommands } from "./may-run";
import { runDirFor, runsDirFor } from "./run-paths";

/** What every run checks first: the tree is unpacked and not busy, its /bin/sh runs here; overlay or not. */
export async function prepareRun(image: string) {
  const tree = await getImageTree(image);
  const shell = checkImageShell(tree);
  const overlayReason = await overlayUnusableReason(runsDirFor(tree));
  return { tree, shell, mode: overlayReason ? ("direct" as const) : ("overlay" as const), overlayReason };
}

export type PreparedRun = Awaited<ReturnType<typeof prepareRun>> & { run: CommandRun; runDir: string };

export type StartRunOptions = {
  image: string;
  user: SessionUser;
  kind: "command" | "shell";
  /** what the user may not do without the role, for the refusal: "run commands in an image" */
  action: string;
  /** the command line, or what the shell runs */
  line: string;
  /** recorded on the run (CommandRun.options) and in the job's parameters */
  options: Record<string, unknown>;
  /** the job's own work once it holds the image; a throw is recorded on the run as its failure */
  execute: (job: JobContext, prepared: PreparedRun) => Promise<unknown>;
};

/**
 * Starts a command or a shell the one way: the run is recorded with its run directory before that exists (a
 * start-up after a crash finds and removes it), then a job holding the image exclusively does `execute`; a
 * refusal of the gate or the job runner marks the run failed. Resolves once the job is started.
 */
export async function startRun(o: StartRunOptions): Promise<{ runId: string; jobId: string }> {
  assertMayRunCommands(o.user, o.action);
  const prepared = await prepareRun(o.image);
  const { tree, mode } = prepared;
  const row = await prisma.commandRun.create({
    data: {
      image: o.image,
      kind: o.kind,
      line: o.line,
      userId: o.user.id,
      username: o.user.username,
      mode,
      options: JSON.stringify(o.options),
    },
  });
  const runDir = runDirFor(tree, row.id);
  const run = await prisma.commandRun.update({ where: { id: row.id }, data: { runDir } });
  let jobId: string;
  try {
    jobId = await startJob({
      type: `image.${o.kind}`,
      user: o.user,
      image: o.image,
      unit: "steps",
      ...holdImage(o.image, { kind: o.kind, user: o.user, tree, detail: o.kind === "command" ? o.line : undefined }),
      params: { commandId: run.id, ...(o.kind === "command" ? { line: o.line } : {}), ...o.options },
      run: (job) => recordingFailure(run.id, job.signal, () => o.execute(job, { ...prepared, run, runDir })),
    });
  } catch (e) {
    await prisma.commandRun.update({
      where: { id: run.id },
      data: { state: "failed", error: (e as Error).message, finishedAt: new Date(), runDir: null },
    });
    throw e;
  }
  await prisma.commandRun.update({ where: { id: run.id }, data: { jobId } });
  emitTo(room.image(o.image), "commands:changed", { id: run.id });
  return { runId: run.id, jobId };
}
