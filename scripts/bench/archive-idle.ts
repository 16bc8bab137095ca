// The machine is shared (2 cores, other builds and tests come and go): measure how busy the
// CPUs are, and wait a bounded time for a quiet moment before a timed series.
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

function cpuTimes(): { busy: number; total: number } {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] ?? 0); // idle + iowait
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Fraction (0..1) of all CPUs busy over `ms`, by others (we are idle meanwhile). */
export async function busyFraction(ms = 1000): Promise<number> {
  const a = cpuTimes();
  await sleep(ms);
  const b = cpuTimes();
  return (b.busy - a.busy) / Math.max(1, b.total - a.total);
}

/** Waits until other load is under `threshold` (fraction of all cores), at most `maxS` seconds. */
export async function waitForQuiet(opts: { threshold: number; maxS: number; log: (m: string) => void }): Promise<number> {
  const start = Date.now();
  let busy = await busyFraction();
  while (busy > opts.threshold && Date.now() - start < opts.maxS * 1000) {
    opts.log(`machine busy (${(busy * 100).toFixed(0)} % of CPU used by others), waiting for a quieter moment...`);
    await sleep(5000);
    busy = await busyFraction();
  }
  if (busy > opts.threshold)
    opts.log(`still busy (${(busy * 100).toFixed(0)} %) after ${opts.maxS} s: measuring anyway, ratios are less reliable`);
  return busy;
}
