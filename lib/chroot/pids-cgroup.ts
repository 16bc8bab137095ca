import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A pids cgroup per run caps how many processes it may have, so a fork bomb in the image stops at the
 * limit instead of filling the host's process table (RLIMIT_NPROC does not bind root, which commands run as).
 * Works with cgroup v1 (`/sys/fs/cgroup/pids`) and v2 (a `rootimg-studio` group with the pids controller);
 * where neither is writable the run goes on without the limit and says so.
 */
const PARENT = "rootimg-studio";

function pidsRoot(base = "/sys/fs/cgroup"): { dir: string; v2: boolean } | undefined {
  const v1 = path.join(base, "pids");
  if (fs.existsSync(path.join(v1, "cgroup.procs"))) return { dir: path.join(v1, PARENT), v2: false };
  try {
    if (/\bpids\b/.test(fs.readFileSync(path.join(base, "cgroup.controllers"), "utf8"))) return { dir: path.join(base, PARENT), v2: true };
  } catch {
    // no cgroup v2 at the base either
  }
  return undefined;
}

const groupName = (runId: string) => runId.replace(/[^A-Za-z0-9_-]/g, "_");

/** The cgroup directory for `runId` with `pids.max` set, or undefined when none can be made. */
export function createPidsCgroup(runId: string, max: number): string | undefined {
  const root = pidsRoot();
  if (!root) return undefined;
  try {
    fs.mkdirSync(root.dir, { recursive: true });
    if (root.v2) fs.writeFileSync(path.join(root.dir, "cgroup.subtree_control"), "+pids");
    const dir = path.join(root.dir, groupName(runId));
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "pids.max"), String(max));
    return dir;
  } catch {
    return undefined;
  }
}

/** Removes a run's cgroup once its processes are gone (the kernel reaps killed ones a moment later). */
export async function removePidsCgroup(dir: string): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    try {
      fs.rmdirSync(dir);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return true;
      await sleep(100);
    }
  }
  return false;
}

/**
 * Start-up: removes the groups of the given runs (those a dead server left "running"), once their processes
 * are gone. Only these: the parent group is shared by every server on the machine, and a group of another
 * server's run is empty for a moment between its creation and the run joining it. Removing it then made
 * that run print "could not join the pids cgroup" into its output and run without the process limit.
 */
export async function removePidsCgroupsOf(runIds: string[]): Promise<string[]> {
  const root = pidsRoot();
  if (!root || !fs.existsSync(root.dir)) return [];
  const removed: string[] = [];
  for (const id of runIds) {
    const dir = path.join(root.dir, groupName(id));
    if (fs.existsSync(dir) && (await removePidsCgroup(dir))) removed.push(groupName(id));
  }
  return removed;
}
