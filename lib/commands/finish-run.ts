import fs from "node:fs";
import path from "node:path";
import type { EffectEntry } from "@/lib/chroot/effect";
import { diffSnapshots, snapshotTree, type TreeSnapshot } from "@/lib/chroot/manifest-effect";
import type { OutputTail } from "@/lib/chroot/output-tail";
import { readOverlayEffect } from "@/lib/chroot/overlay-effect";
import { prisma } from "@/lib/db/client";
import type { CommandRun } from "@/lib/db/generated/client";
import { room } from "@/lib/realtime/events";
import { emitTo } from "@/lib/realtime/io-registry";
import { recordCommandChange } from "./apply-run";

export type RunEnd = {
  state: "exited" | "timeout" | "cancelled" | "failed";
  exitCode: number | null;
  durationMs: number;
  error?: string;
};

/** Reads what the run changed: from the overlay's upper layer, or (no overlayfs) by comparing snapshots. */
export async function readRunEffect(run: CommandRun, tree: string, before?: TreeSnapshot): Promise<EffectEntry[]> {
  if (run.mode === "direct") return diffSnapshots(before ?? new Map(), await snapshotTree(tree));
  return readOverlayEffect({ lower: tree, upper: path.join(run.runDir as string, "upper") });
}

/**
 * Stores how a run ended with its bounded output and its effect. An overlay run with changes keeps its
 * upper layer for apply or discard (effect "pending"); one without changes drops it. A direct run (no
 * overlayfs) has already changed the tree: its effect is recorded as pending changes at once ("direct").
 */
export async function finishRun(run: CommandRun, end: RunEnd, output: OutputTail, effect: EffectEntry[]): Promise<CommandRun> {
  const effectState = effect.length === 0 ? "none" : run.mode === "direct" ? "direct" : "pending";
  const updated = await prisma.$transaction(async (tx) => {
    if (effectState === "direct") await recordCommandChange(tx, { ...run, exitCode: end.exitCode }, effect, run.username);
    return tx.commandRun.update({
      where: { id: run.id },
      data: {
        state: end.state,
        exitCode: end.exitCode,
        durationMs: end.durationMs,
        finishedAt: new Date(),
        error: end.error ?? null,
        output: JSON.stringify(output.toJSON()),
        effect: JSON.stringify(effect),
        effectState,
        runDir: effectState === "pending" ? run.runDir : null,
      },
    });
  });
  if (effectState !== "pending" && run.runDir) fs.rmSync(run.runDir, { recursive: true, force: true });
  emitTo(room.image(run.image), "commands:changed", { id: run.id });
  return updated;
}

/** Runs a job body of a command or shell; if the runner itself fails, the record says so instead of staying "running". */
export async function recordingFailure<T>(runId: string, signal: AbortSignal, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    await prisma.commandRun.updateMany({
      where: { id: runId, state: "running" },
      data: { state: signal.aborted ? "cancelled" : "failed", error: (e as Error).message, finishedAt: new Date() },
    });
    throw e;
  }
}
