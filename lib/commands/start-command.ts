import type { RunOptions } from "@/lib/api/contracts/commands";
import type { SessionUser } from "@/lib/auth/session";
import { summarizeEffect } from "@/lib/chroot/effect";
import type { TreeSnapshot } from "@/lib/chroot/manifest-effect";
import { snapshotTree } from "@/lib/chroot/manifest-effect";
import { OutputTail } from "@/lib/chroot/output-tail";
import { prepareRunDir, runInChroot } from "@/lib/chroot/run-in-chroot";
import { AppError, isAppError } from "@/lib/errors";
import type { JobContext } from "@/lib/jobs/job-types";
import { applyRunEffect } from "./apply-run";
import { finishRun, readRunEffect } from "./finish-run";
import { LineSplitter } from "./line-splitter";
import { type PreparedRun, startRun } from "./start-run";

export type StartCommandOptions = { image: string; user: SessionUser; line: string; options: RunOptions };

const duration = (ms: number) => (ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`);

/**
 * Runs a command line in an isolated chroot of the image as a job holding the image: `/bin/sh -c <line>` of
 * the image, the line one argument (never through a host shell). Output goes to the job log live; at the end
 * the run records its exit status, duration, bounded output and effect. With "apply automatically" an
 * overlay effect of a command that exited 0 is applied in the same job.
 */
export function startCommand(o: StartCommandOptions): Promise<{ runId: string; jobId: string }> {
  return startRun({
    image: o.image,
    user: o.user,
    kind: "command",
    action: "run commands in an image",
    line: o.line,
    options: o.options,
    execute: (job, prepared) => executeCommand(job, { ...o, ...prepared }),
  });
}

type Prepared = StartCommandOptions & PreparedRun;

async function executeCommand(job: JobContext, { run, tree, shell, mode, overlayReason, runDir, ...o }: Prepared) {
  job.log(`$ ${o.line}`, "info");
  job.log(
    mode === "overlay"
      ? `in an overlay of ${tree} (nothing reaches the tree until you apply)`
      : `directly in ${tree}: ${overlayReason}; the changes are compared before/after`,
    "info",
  );
  if (shell.emulator) job.log(`the image is ${shell.arch}: running through ${shell.emulator}`, "info");
  prepareRunDir(runDir);
  const before: TreeSnapshot | undefined = mode === "direct" ? await snapshotTree(tree, job.signal) : undefined;
  const tail = new OutputTail();
  const lines = new LineSplitter((stream, line) => job.log(line, stream));
  const res = await runInChroot({
    tree,
    runDir,
    runId: run.id,
    mode,
    argv: ["/bin/sh", "-c", o.line],
    proc: o.options.proc,
    sys: o.options.sys,
    dev: o.options.dev,
    network: o.options.network,
    timeoutMs: o.options.timeoutMinutes * 60_000,
    signal: job.signal,
    onOutput: (stream, text) => {
      lines.push(stream, text);
      tail.add(stream, text);
    },
  });
  lines.flush();
  if (!res.pidsLimited) job.log("no pids cgroup could be made: the process limit did not apply to this run", "info");
  const effect = await readRunEffect(run, tree, before);
  const state = res.outcome === "exited" ? "exited" : res.outcome;
  const ended =
    state === "exited"
      ? `exit status ${res.exitCode}`
      : state === "timeout"
        ? `stopped at its time limit (${o.options.timeoutMinutes} min)`
        : "cancelled";
  tail.add("info", `${ended} after ${duration(res.durationMs)}\n`);
  job.log(`${ended} after ${duration(res.durationMs)}; effect: ${effect.length ? summarizeEffect(effect) : "no changes"}`, "info");
  let finished = await finishRun(run, { state, exitCode: res.exitCode, durationMs: res.durationMs }, tail, effect);
  if (o.options.autoApply && finished.effectState === "pending") {
    if (state === "exited" && res.exitCode === 0) {
      try {
        finished = await applyRunEffect(run.id, o.user);
        job.log(`applied automatically: ${summarizeEffect(effect)}`, "info");
      } catch (e) {
        // a privileged effect (setuid, device node) this user may not apply stays pending for an admin
        if (!isAppError(e) || e.code !== "forbidden") throw e;
        job.log(`not applied automatically: ${e.message}`, "stderr");
      }
    } else {
      job.log("not applied automatically: the command did not exit with status 0; review the effect and apply or discard it", "info");
    }
  }
  if (state === "cancelled") throw job.signal.reason ?? new Error("cancelled");
  if (state === "timeout")
    throw new AppError("unprocessable", `The command was stopped at its time limit of ${o.options.timeoutMinutes} min.`);
  if (res.exitCode !== 0) throw new AppError("unprocessable", `The command exited with status ${res.exitCode}.`);
  return { commandId: run.id, exitCode: res.exitCode, durationMs: res.durationMs, effect: finished.effectState };
}
