// The file browser and the pending-changes work at image size, in one process (as the server runs them, without
// HTTP or CLI start-up): list a directory of 10,000 entries (p50/p95), search names over the whole image (the
// first search builds the name index, later ones check it), and diffTree against the pristine manifest (what
// GET /api/changes and the Changes page compute per unpacked image). Wall and CPU time of each.
// Run: node --import tsx scripts/bench/browse.ts TREE   (prints one JSON line on stdout, a summary on stderr)
// Called by scripts/bench/archive at BENCH_SCALE on its unpacked tree. Env: BENCH_LIST_N (50), BENCH_REPS (3).
import fs from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { diffTree } from "../../lib/archive/diff-tree";
import { GLOB_LIMITS } from "../../lib/image/glob-match";
import { listDirectory } from "../../lib/image/list-directory";
import { searchNames } from "../../lib/image/search-names";

const tree = path.resolve(process.argv[2] ?? "");
if (!process.argv[2] || !fs.statSync(tree).isDirectory()) throw new Error("usage: browse.ts TREE");
const N = Number(process.env.BENCH_LIST_N ?? 50);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const log = (s: string) => process.stderr.write(`[browse] ${s}\n`);

type Timed<T> = { ms: number; cpuMs: number; value: T };
async function timed<T>(fn: () => T | Promise<T>): Promise<Timed<T>> {
  const c = process.cpuUsage();
  const t = performance.now();
  const value = await fn();
  const ms = performance.now() - t;
  const u = process.cpuUsage(c);
  return { ms, cpuMs: (u.user + u.system) / 1000, value };
}
const pct = (s: number[], p: number) => [...s].sort((a, b) => a - b)[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
const median = (s: number[]) => pct(s, 50);
const round = (x: number) => +x.toFixed(1);

const out: Record<string, unknown> = { loadavgStart: loadavg().map(round) };
const entriesCount = (() => {
  let n = 0;
  const stack = [tree];
  while (stack.length) {
    const d = stack.pop()!;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      n++;
      if (e.isDirectory()) stack.push(path.join(d, e.name));
    }
  }
  return n;
})();
out.entries = entriesCount;

// 1. Search: the first one reads every directory (and builds the index), the later ones lstat each directory.
const patterns = ["ssh", "*.conf", `*${"a?".repeat(30)}*${"b?".repeat(30)}*`];
const search: Record<string, unknown>[] = [];
for (const [i, q] of ["libc.so*", ...patterns, ...patterns].entries()) {
  const r = await timed(() => searchNames({ root: tree, query: q, limit: 1000 }));
  const row = {
    query: q.length > 30 ? `${q.slice(0, 27)}...` : q,
    first: i === 0,
    ms: round(r.ms),
    cpuMs: round(r.cpuMs),
    visited: r.value.visited,
    hits: r.value.hits.length,
    dirsRead: r.value.dirsRead,
  };
  search.push(row);
  log(`search ${JSON.stringify(row)}`);
}
const warm = search.filter((s) => !s.first);
out.search = {
  firstMs: search[0].ms,
  firstCpuMs: search[0].cpuMs,
  warmMedianMs: round(median(warm.map((s) => s.ms as number))),
  warmMaxMs: round(Math.max(...warm.map((s) => s.ms as number))),
  warmMedianCpuMs: round(median(warm.map((s) => s.cpuMs as number))),
  runs: search,
  maxStarsAllowed: GLOB_LIMITS.maxStars,
};

// 2. A directory of 10,000 entries listed N times (after 3 warm-up listings).
const scratch = path.join(tree, "var/tmp/rootimg-bench-browse");
fs.rmSync(scratch, { recursive: true, force: true });
fs.mkdirSync(path.join(scratch, "many"), { recursive: true });
try {
  for (let i = 0; i < 10_000; i++) fs.writeFileSync(path.join(scratch, "many", `entry-${String(i).padStart(5, "0")}.conf`), "x\n");
  const listed: Timed<number>[] = [];
  for (let i = 0; i < N + 3; i++) {
    const r = await timed(() => listDirectory(tree, "/var/tmp/rootimg-bench-browse/many").entries.length);
    if (i >= 3) listed.push(r);
  }
  const ms = listed.map((r) => r.ms);
  out.list10k = {
    entries: listed[0].value,
    n: N,
    p50: round(pct(ms, 50)),
    p95: round(pct(ms, 95)),
    cpuMedianMs: round(median(listed.map((r) => r.cpuMs))),
  };
  log(`list 10k ${JSON.stringify(out.list10k)}`);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}

// 3. diffTree in this process (the pending-changes work without CLI start-up).
const diffs: Timed<number>[] = [];
for (let i = 0; i < REPS; i++) diffs.push(await timed(async () => (await diffTree({ tree })).changes.length));
out.diffInProcess = {
  medianMs: round(median(diffs.map((d) => d.ms))),
  cpuMedianMs: round(median(diffs.map((d) => d.cpuMs))),
  changes: diffs[0].value,
  runsMs: diffs.map((d) => round(d.ms)),
};
log(`diff in process ${JSON.stringify(out.diffInProcess)}`);
out.loadavgEnd = loadavg().map(round);
process.stdout.write(`${JSON.stringify(out)}\n`);
