import { setTimeout as sleep } from "node:timers/promises";
import type { IPty } from "node-pty";
import type { SessionUser } from "@/lib/auth/session";
import { summarizeEffect } from "@/lib/chroot/effect";
import { snapshotTree, type TreeSnapshot } from "@/lib/chroot/manifest-effect";
import { OutputTail } from "@/lib/chroot/output-tail";
import { createPidsCgroup, removePidsCgroup } from "@/lib/chroot/pids-cgroup";
import { DEFAULT_MAX_PIDS, prepareRunDir } from "@/lib/chroot/run-in-chroot";
import { sandboxCommand } from "@/lib/chroot/sandbox";
import { findSandboxProcesses } from "@/lib/chroot/stale-runs";
import type { JobContext } from "@/lib/jobs/job-types";
import { room } from "@/lib/realtime/events";
import { emitTo } from "@/lib/realtime/io-registry";
import { finishRun, readRunEffect } from "./finish-run";
import { type PreparedRun, startRun } from "./start-run";

/** Output kept in memory for a browser that reattaches (a reload, a dropped connection). */
const RECENT_CHARS = 256 * 1024;
const TERM = "xterm-256color";

export type ShellSession = {
  runId: string;
  image: string;
  ownerId: string;
  pty: IPty;
  recent: string;
  lastInput: number;
};

// On globalThis: the route that opens a shell (Next's bundle) and the socket handlers (server.ts) must share it.
const g = globalThis as unknown as { rootimgShells?: Map<string, ShellSession> };
export const shellSessions = (g.rootimgShells ??= new Map());

export type OpenShellOptions = {
  image: string;
  user: SessionUser;
  proc: boolean;
  sys: boolean;
  dev: boolean;
  network: boolean;
  idleMinutes: number;
  cols: number;
  rows: number;
};

/**
 * Opens an interactive shell of the image in the same isolated chroot as commands, on a pseudo-terminal
 * (node-pty), as a job that holds the image until the shell ends: when the user exits, after `idleMinutes`
 * without input, or when the job is cancelled (its owner or an admin: "End shell"). Output goes to the room
 * `shell:<id>`; the last 256 KB stay in memory for reattaching. At the end the transcript (bounded) and the
 * effect are recorded like a command's, the effect waiting for apply or discard.
 */
export async function openShell(o: OpenShellOptions): Promise<{ runId: string; jobId: string }> {
  const pty = await import("node-pty");
  return startRun({
    image: o.image,
    user: o.user,
    kind: "shell",
    action: "open a shell in an image",
    line: "interactive shell (/bin/sh -l)",
    options: { proc: o.proc, sys: o.sys, dev: o.dev, network: o.network, idleMinutes: o.idleMinutes },
    execute: (job, prepared) => runShell(job, o, prepared, pty),
  });
}

/** The shell's job: the pty in the sandbox until it exits, idles out or is cancelled; then its record. */
async function runShell(job: JobContext, o: OpenShellOptions, { run, tree, mode, runDir }: PreparedRun, pty: typeof import("node-pty")) {
  prepareRunDir(runDir);
  const before: TreeSnapshot | undefined = mode === "direct" ? await snapshotTree(tree, job.signal) : undefined;
  const cgroup = createPidsCgroup(run.id, DEFAULT_MAX_PIDS);
  const cmd = sandboxCommand({
    tree,
    runDir,
    mode,
    proc: o.proc,
    sys: o.sys,
    dev: o.dev,
    network: o.network,
    cgroup,
    term: TERM,
    argv: ["/bin/sh", "-l"],
  });
  const transcript = new OutputTail();
  const started = performance.now();
  const p = pty.spawn(cmd.file, cmd.args, {
    name: TERM,
    cols: o.cols,
    rows: o.rows,
    cwd: "/",
    env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" },
  });
  const session: ShellSession = { runId: run.id, image: o.image, ownerId: o.user.id, pty: p, recent: "", lastInput: Date.now() };
  shellSessions.set(run.id, session);
  let ended = "exited" as "exited" | "cancelled" | "idle";
  p.onData((data) => {
    session.recent = (session.recent + data).slice(-RECENT_CHARS);
    transcript.add("stdout", data);
    emitTo(room.shell(run.id), "shell:output", { id: run.id, data });
  });
  const kill = (why: typeof ended) => {
    if (ended === "exited") ended = why;
    try {
      p.kill("SIGKILL");
    } catch {
      // already gone
    }
  };
  const onAbort = () => kill("cancelled");
  job.signal.addEventListener("abort", onAbort, { once: true });
  const idle = setInterval(() => {
    if (Date.now() - session.lastInput > o.idleMinutes * 60_000) kill("idle");
  }, 5_000);
  job.log(`shell opened in ${mode === "overlay" ? "an overlay of" : "the tree"} ${tree}`, "info");
  const exit = await new Promise<{ exitCode: number; signal?: number }>((resolve) => p.onExit(resolve));
  clearInterval(idle);
  job.signal.removeEventListener("abort", onAbort);
  // unshare is gone; wait for the namespace's processes (and so the overlay mount) to be gone too
  for (let i = 0; i < 100 && findSandboxProcesses([runDir]).length; i++) await sleep(50);
  if (cgroup) await removePidsCgroup(cgroup);
  shellSessions.delete(run.id);
  const durationMs = Math.round(performance.now() - started);
  const note =
    ended === "idle"
      ? `ended after ${o.idleMinutes} min without input`
      : ended === "cancelled"
        ? String((job.signal.reason as Error | undefined)?.message ?? "ended on request")
        : `exited with status ${exit.exitCode}`;
  transcript.add("info", `\r\n[${note}]\r\n`);
  const effect = await readRunEffect(run, tree, before);
  const finished = await finishRun(
    run,
    {
      state: ended === "exited" ? "exited" : "cancelled",
      exitCode: ended === "exited" ? exit.exitCode : null,
      durationMs,
      error: ended === "exited" ? undefined : note,
    },
    transcript,
    effect,
  );
  job.log(`${note}; effect: ${summarizeEffect(effect)}`, "info");
  emitTo(room.shell(run.id), "shell:exit", { id: run.id, note, effectState: finished.effectState, effectSummary: summarizeEffect(effect) });
  return { commandId: run.id, exitCode: exit.exitCode, effect: finished.effectState };
}

/** Keystrokes from the shell's owner (the only one who may type into it). */
export function writeToShell(id: string, userId: string, data: unknown): void {
  const s = shellSessions.get(id);
  if (!s || s.ownerId !== userId || typeof data !== "string" || data.length > 64 * 1024) return;
  s.lastInput = Date.now();
  s.pty.write(data);
}

export function resizeShell(id: string, userId: string, size: unknown): void {
  const s = shellSessions.get(id);
  const { cols, rows } = (size ?? {}) as { cols?: unknown; rows?: unknown };
  if (!s || s.ownerId !== userId || typeof cols !== "number" || typeof rows !== "number") return;
  if (cols >= 10 && cols <= 500 && rows >= 5 && rows <= 200) s.pty.resize(Math.floor(cols), Math.floor(rows));
}
