import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { SANDBOX_MARKER } from "./sandbox";

/** Processes of sandboxes whose run directory is one of `runDirs` (their `unshare` carries both in its argv). */
export function findSandboxProcesses(runDirs: string[]): number[] {
  if (runDirs.length === 0) return [];
  const wanted = new Set(runDirs);
  const pids: number[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // exited meanwhile
    }
    const at = argv.indexOf(SANDBOX_MARKER);
    // argv after the marker: tree, run dir, ...
    if (at > 0 && wanted.has(argv[at + 2])) pids.push(Number(name));
  }
  return pids;
}

/**
 * Start-up: kills what is left of runs a dead server did not finish. Killing their `unshare` ends PID 1 of
 * each namespace, which takes every process and every mount of the run with it. Only the given run
 * directories are matched: other servers on the machine keep theirs. Resolves with the killed pids.
 */
export async function killStaleSandboxes(runDirs: string[]): Promise<number[]> {
  const pids = findSandboxProcesses(runDirs);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  for (let i = 0; i < 50 && findSandboxProcesses(runDirs).length; i++) await sleep(100);
  return pids;
}
