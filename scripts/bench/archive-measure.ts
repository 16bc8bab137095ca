// Runs one command and measures it: wall time, peak RSS of the largest process
// (GNU time's %M, which is ru_maxrss of the child and its waited-for descendants),
// and the peak of the summed RSS over the whole process tree (sampled from /proc,
// because ru_maxrss is a max, not a sum, when a tool spawns helpers such as pigz).
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";

export type Measured = {
  ms: number;
  maxRssKb: number; // GNU time %M
  userS: number; // CPU seconds (GNU time %U/%S): (user+sys)/wall shows how many cores a step used
  sysS: number;
  /** Share (0..1) of all CPUs that OTHER processes used while this ran: >0.25 means the number is contended. */
  othersCpu: number;
  treeRssKb: number; // sampled sum over the process tree
  code: number;
  stdout: string;
  stderr: string;
};

const PAGE_KB = 4;
const CLK_TCK = 100; // USER_HZ, the unit of /proc/stat on Linux

/** Busy CPU seconds of the whole machine since boot (all CPUs; idle and iowait excluded). */
function machineBusyS(): number {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  return (f.reduce((a, b) => a + b, 0) - f[3] - (f[4] ?? 0)) / CLK_TCK;
}
const SAMPLE_MS = 250; // coarse on purpose: sampling must not perturb the timing on 2 cores

function processTable(): Map<number, { ppid: number; rssKb: number }> {
  const table = new Map<number, { ppid: number; rssKb: number }>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // Fields after the ")" that closes comm: state ppid ... field 24 is rss (pages).
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      table.set(Number(name), { ppid: Number(rest[1]), rssKb: Number(rest[21]) * PAGE_KB });
    } catch {
      // the process exited between readdir and read
    }
  }
  return table;
}

function treeRss(root: number): number {
  const table = processTable();
  const children = new Map<number, number[]>();
  for (const [pid, p] of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  let sum = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    sum += table.get(pid)?.rssKb ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return sum;
}

export async function measure(opts: { cmd: string; args: string[]; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), "bench-time-"));
  const timeFile = join(dir, "rss");
  const busy0 = machineBusyS();
  const start = process.hrtime.bigint();
  const child = spawn("/usr/bin/time", ["-f", "%M %U %S", "-o", timeFile, opts.cmd, ...opts.args], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  let treeRssKb = 0;
  const timer = setInterval(() => {
    if (child.pid) treeRssKb = Math.max(treeRssKb, treeRss(child.pid));
  }, SAMPLE_MS);
  const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const busyS = machineBusyS() - busy0;
  clearInterval(timer);
  let [maxRssKb, userS, sysS] = [0, 0, 0];
  try {
    // the last line; a failing command makes time add a "Command exited..." line before it
    [maxRssKb, userS, sysS] = readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
  } catch {
    // time could not write (command not found): leave 0, the exit code tells
  }
  rmSync(dir, { recursive: true, force: true });
  // What the machine did minus what our child did (the sampler's own share is negligible).
  const othersCpu = Math.max(0, Math.min(1, (busyS - userS - sysS) / ((ms / 1000) * availableParallelism())));
  return { ms, maxRssKb, userS, sysS, othersCpu, code, treeRssKb, stdout, stderr };
}

/** Runs a shell pipeline (the baselines are pipelines by nature); values go in as $1, $2... */
export function shell(script: string, values: string[], cwd?: string): Promise<Measured> {
  return measure({ cmd: "bash", args: ["-c", script, "bench", ...values], cwd });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
