// Rows and growth-table steps from scripts/bench/browse.ts's result (the file browser and the pending-changes
// work, measured in one process on the archive bench's edited tree).
import type { Row } from "./archive-table.ts";

export type BrowseResult = {
  entries: number;
  loadavgStart: number[];
  loadavgEnd: number[];
  search: { firstMs: number; firstCpuMs: number; warmMedianMs: number; warmMaxMs: number; warmMedianCpuMs: number };
  list10k: { entries: number; n: number; p50: number; p95: number; cpuMedianMs: number };
  diffInProcess: { medianMs: number; cpuMedianMs: number; changes: number };
};

export function browseRows(b: BrowseResult | undefined): Row[] {
  if (!b) return [];
  return [
    {
      step: `changes page work: diffTree in one process (${b.entries} entries)`,
      ours: b.diffInProcess.medianMs / 1000,
      baseline: null,
      unit: "s",
      abs: 1,
      oursCpu: b.diffInProcess.cpuMedianMs / 1000,
    },
    {
      step: `file browser: list ${b.list10k.entries} entries, p95 (p50 ${b.list10k.p50} ms, CPU ${b.list10k.cpuMedianMs} ms)`,
      ours: b.list10k.p95,
      baseline: null,
      unit: "ms",
      abs: 100,
    },
    {
      step: `name search over the image, median (worst ${b.search.warmMaxMs} ms, CPU ${b.search.warmMedianCpuMs} ms)`,
      ours: b.search.warmMedianMs / 1000,
      baseline: null,
      unit: "s",
      abs: 1,
      oursCpu: b.search.warmMedianCpuMs / 1000,
    },
    {
      step: "(info) first name search after start-up (reads every directory)",
      ours: b.search.firstMs / 1000,
      baseline: null,
      unit: "s",
      oursCpu: b.search.firstCpuMs / 1000,
    },
    {
      step: `(info) load average during the browser steps (start / end): ${b.loadavgStart[0]} / ${b.loadavgEnd[0]}`,
      ours: null,
      baseline: null,
      unit: "",
    },
  ];
}

/** The browser steps in the perStep shape of the result file, so the growth table and --render include them. */
export function browseSteps(b: BrowseResult | undefined): [string, Record<string, unknown>][] {
  if (!b) return [];
  const step = (ms: number, cpuMs: number) => ({ runsS: [ms / 1000], cpuS: [cpuMs / 1000], medianS: ms / 1000, peakRssMb: null });
  return [
    ["diffInProcess", step(b.diffInProcess.medianMs, b.diffInProcess.cpuMedianMs)],
    ["list10kP95", step(b.list10k.p95, b.list10k.cpuMedianMs)],
    ["searchWarm", step(b.search.warmMedianMs, b.search.warmMedianCpuMs)],
    ["searchFirst", step(b.search.firstMs, b.search.firstCpuMs)],
  ];
}
