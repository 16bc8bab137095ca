import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { ChrootError } from "./chroot-error";
import { createPidsCgroup, removePidsCgroup } from "./pids-cgroup";
import { type SandboxOptions, sandboxCommand } from "./sandbox";

export type OutputStream = "stdout" | "stderr";

export type RunInChrootOptions = Omit<SandboxOptions, "cgroup"> & {
  /** names the pids cgroup (unique per run) */
  runId: string;
  /** the run is killed after this long (default 10 minutes) */
  timeoutMs?: number;
  /** most processes the run may have at once (fork bombs stop here); 0 = no pids cgroup */
  maxPids?: number;
  signal?: AbortSignal;
  /** decoded output, in the order it arrived from each pipe */
  onOutput(stream: OutputStream, text: string): void;
  /** the `unshare` process id, as soon as it exists (stored so a later start-up can kill a stale run) */
  onSpawn?(pid: number): void;
};

export type RunOutcome = "exited" | "timeout" | "cancelled";

export type RunResult = {
  outcome: RunOutcome;
  /** the program's exit status (128+N when a signal ended it); null when we killed it */
  exitCode: number | null;
  durationMs: number;
  /** false when no pids cgroup could be made (the fork-bomb limit did not apply) */
  pidsLimited: boolean;
};

export const DEFAULT_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_MAX_PIDS = 1024;

/** Creates the run's scratch directories (the caller registers `runDir` for removal first). */
export function prepareRunDir(runDir: string): void {
  // Root-only: the upper layer may hold setuid files a command made, and the tree's own nosuid mount does
  // not cover them here (the overlay itself exists only inside the run's mount namespace).
  fs.mkdirSync(path.dirname(runDir), { recursive: true, mode: 0o700 });
  fs.chmodSync(path.dirname(runDir), 0o700);
  fs.mkdirSync(runDir, { mode: 0o700 });
  for (const d of ["upper", "work", "merged"]) fs.mkdirSync(path.join(runDir, d), { mode: 0o755 });
}

/**
 * Runs `argv` in an isolated chroot of `tree` (see sandbox.ts) and resolves when every process of the run
 * is gone: on exit, on cancel (`signal`) and at the time limit the whole process tree is killed. Output is
 * passed on as it arrives; the caller bounds what it keeps.
 */
export async function runInChroot(o: RunInChrootOptions): Promise<RunResult> {
  const started = performance.now();
  const cgroup = o.maxPids === 0 ? undefined : createPidsCgroup(o.runId, o.maxPids ?? DEFAULT_MAX_PIDS);
  const cmd = sandboxCommand({ ...o, cgroup });
  let outcome: RunOutcome = "exited";
  try {
    // fd 3 is the lifeline (sandbox.ts): never written, it closes when this process dies
    const child: ChildProcess = spawn(cmd.file, cmd.args, {
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" } as unknown as NodeJS.ProcessEnv,
    });
    const kill = (why: RunOutcome) => {
      if (outcome === "exited") outcome = why;
      child.kill("SIGKILL");
    };
    const onAbort = () => kill("cancelled");
    if (o.signal?.aborted) onAbort();
    o.signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => kill("timeout"), o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    for (const stream of ["stdout", "stderr"] as const) {
      const decoder = new StringDecoder("utf8");
      const pipe = child[stream] as Readable;
      pipe.on("data", (b: Buffer) => {
        const text = decoder.write(b);
        if (text) o.onOutput(stream, text);
      });
      pipe.on("end", () => {
        const rest = decoder.end();
        if (rest) o.onOutput(stream, rest);
      });
    }
    if (child.pid) o.onSpawn?.(child.pid);
    // "close": the process exited AND every holder of its pipes is gone, i.e. the namespace is empty.
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", (e: Error) => reject(new ChrootError("spawn", `Could not start unshare (util-linux): ${e.message}`)));
      child.once("close", (c: number | null) => resolve(c));
    });
    clearTimeout(timer);
    o.signal?.removeEventListener("abort", onAbort);
    return {
      outcome,
      exitCode: outcome === "exited" ? code : null,
      durationMs: Math.round(performance.now() - started),
      pidsLimited: !!cgroup,
    };
  } finally {
    if (cgroup) await removePidsCgroup(cgroup);
  }
}
