import fs from "node:fs";
import path from "node:path";
import { recordAudit } from "@/lib/audit/record-audit";
import type { SessionUser } from "@/lib/auth/session";
import { applyEffect } from "@/lib/chroot/apply-effect";
import type { EffectEntry } from "@/lib/chroot/effect";
import { readOverlayXattrs } from "@/lib/chroot/overlay-effect";
import { prisma, type Tx } from "@/lib/db/client";
import { effectOf, getCommandRunOrThrow } from "@/lib/db/command-runs";
import type { CommandRun } from "@/lib/db/generated/client";
import { AppError } from "@/lib/errors";
import { noteChangedPaths } from "@/lib/files/changed-paths";
import { getImageTree } from "@/lib/files/image-tree";
import { activeJobs } from "@/lib/jobs/active-jobs";
import { startJob } from "@/lib/jobs/start-job";
import { room } from "@/lib/realtime/events";
import { emitTo } from "@/lib/realtime/io-registry";
import { capturePristine } from "@/lib/review/pristine-store";
import {
  assertMayMakePrivileged,
  PRIVILEGED_ORDER,
  type PrivilegedReason,
  privilegedAction,
  privilegedEffect,
} from "@/lib/security/privileged-modes";
import { type HolderKind, holdImage } from "./image-hold";
import { assertMayRunCommands } from "./may-run";
import { originalsDirFor } from "./run-paths";

/**
 * Records what a run changed in the tree as one pending change attributed to the command: the user who ran
 * it, the command line, its exit status and every path, so the Changes page names the command as the source.
 */
export async function recordCommandChange(tx: Tx, run: CommandRun, effect: EffectEntry[], appliedBy: string): Promise<void> {
  const paths = effect.map((e) => e.path);
  await tx.pendingChange.create({
    data: {
      image: run.image,
      path: paths[0] ?? "/",
      kind: "command",
      userId: run.userId,
      username: run.username,
      detail: JSON.stringify({ paths, commandId: run.id, commandKind: run.kind, line: run.line, exitCode: run.exitCode, appliedBy }),
    },
  });
}

function announce(run: CommandRun, effect: EffectEntry[], by: string): void {
  const paths = effect.map((e) => e.path);
  noteChangedPaths(run.image, paths);
  emitTo(room.image(run.image), "files:changed", { paths, kind: "command", by });
  emitTo(room.image(run.image), "commands:changed", { id: run.id });
}

/**
 * Applies a finished run's held-back effect to the tree. The caller holds the image (inside a command's own
 * job for "apply automatically", or the apply job below). The tree's files change first (each one atomically),
 * then the run and its pending change are recorded in one transaction; a crash in between leaves the files
 * changed and listed on the Changes page (the tree is compared with its pristine state), only not attributed.
 */
/**
 * Setuid/setgid programs, executables handed to root and device nodes a command made: the same rule as through
 * the file API (an admin, or an editor an admin allowed on this image), checked before anything moves.
 * Returns the privileged paths, for the audit.
 */
async function assertMayApply(run: CommandRun, user: SessionUser): Promise<{ path: string; reasons: PrivilegedReason[] }[]> {
  const privileged = effectOf(run).flatMap((e) => {
    const reasons = privilegedEffect(e);
    return reasons.length ? [{ path: e.path, reasons }] : [];
  });
  await assertMayMakePrivileged(
    user,
    run.image,
    PRIVILEGED_ORDER.filter((r) => privileged.some((p) => p.reasons.includes(r))),
    privileged.length === 1 ? privileged[0].path : `${privileged.length} paths (${privileged[0]?.path}, ...)`,
  );
  return privileged;
}

export async function applyRunEffect(runId: string, user: SessionUser): Promise<CommandRun> {
  const run = await prisma.commandRun.findUniqueOrThrow({ where: { id: runId } });
  if (run.effectState !== "pending")
    throw new AppError("conflict", `The effect of this ${run.kind} is ${run.effectState}; only a pending effect can be applied.`);
  if (!run.runDir || !fs.existsSync(path.join(run.runDir, "upper")))
    throw new AppError("conflict", "The overlay of this run is gone; its effect can no longer be applied. Run the command again.");
  const tree = await getImageTree(run.image);
  const effect = effectOf(run);
  const upper = path.join(run.runDir, "upper");
  const privileged = await assertMayApply(run, user);
  const xattrs = await readOverlayXattrs(upper);
  // the review's pristine side of every path the effect replaces or removes, before the first byte changes
  await capturePristine(
    tree,
    effect.map((e) => e.path),
  );
  await applyEffect({ tree, upper, effect, originals: originalsDirFor(tree, run.id), xattrs });
  const updated = await prisma.$transaction(async (tx) => {
    await recordCommandChange(tx, run, effect, user.username);
    await recordAudit(tx, {
      user,
      action: `image.${run.kind}.apply`,
      image: run.image,
      target: run.line.slice(0, 500),
      outcome: "ok",
      detail: { commandId: run.id, paths: effect.length },
    });
    for (const p of privileged)
      await recordAudit(tx, {
        user,
        action: privilegedAction(p.reasons),
        image: run.image,
        target: p.path,
        outcome: "ok",
        detail: { privileged: p.reasons, commandId: run.id },
      });
    return tx.commandRun.update({
      where: { id: run.id },
      data: { effectState: "applied", appliedAt: new Date(), appliedBy: user.username, effect: JSON.stringify(effect), runDir: null },
    });
  });
  fs.rmSync(run.runDir, { recursive: true, force: true });
  announce(run, effect, user.username);
  return updated;
}

/** The apply as its own job: it holds the image like the command did, so no save or pack runs meanwhile. */
export async function applyCommand(o: { image: string; id: string; user: SessionUser }): Promise<CommandRun> {
  assertMayRunCommands(o.user, "apply the effect of a command");
  const run = await getCommandRunOrThrow(o.image, o.id);
  if (run.effectState !== "pending")
    throw new AppError("conflict", `The effect of this ${run.kind} is ${run.effectState}; only a pending effect can be applied.`);
  // refused at once with 403 (the job repeats the check on the effect it applies)
  await assertMayApply(run, o.user);
  const tree = await getImageTree(o.image);
  const hold = holdImage(o.image, {
    kind: run.kind as HolderKind,
    user: o.user,
    tree,
    detail: `applying the effect of ${run.kind === "command" ? run.line : "a shell session"}`,
  });
  const jobId = await startJob({
    type: `image.${run.kind}.apply`,
    user: o.user,
    image: o.image,
    unit: "files",
    ...hold,
    params: { commandId: run.id, line: run.line },
    run: async (job) => {
      const r = await applyRunEffect(run.id, o.user);
      job.log(`applied ${effectOf(r).length} change(s) of "${run.line}"`);
      return { commandId: run.id };
    },
  });
  await activeJobs.get(jobId)?.finished;
  const job = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
  if (job.state !== "succeeded") throw new AppError("conflict", job.error ?? `The apply ${job.state}.`, { details: { jobId } });
  return prisma.commandRun.findUniqueOrThrow({ where: { id: run.id } });
}

/** Drops a run's held-back effect: the overlay's upper layer is removed, the tree stays as it is. */
export async function discardCommand(o: { image: string; id: string; user: SessionUser }): Promise<CommandRun> {
  assertMayRunCommands(o.user, "discard the effect of a command");
  const run = await getCommandRunOrThrow(o.image, o.id);
  if (run.effectState !== "pending")
    throw new AppError("conflict", `The effect of this ${run.kind} is ${run.effectState}; only a pending effect can be discarded.`);
  const updated = await prisma.$transaction(async (tx) => {
    await recordAudit(tx, {
      user: o.user,
      action: `image.${run.kind}.discard`,
      image: run.image,
      target: run.line.slice(0, 500),
      outcome: "ok",
      detail: { commandId: run.id },
    });
    return tx.commandRun.update({ where: { id: run.id }, data: { effectState: "discarded", runDir: null } });
  });
  if (run.runDir) fs.rmSync(run.runDir, { recursive: true, force: true });
  emitTo(room.image(run.image), "commands:changed", { id: run.id });
  return updated;
}
