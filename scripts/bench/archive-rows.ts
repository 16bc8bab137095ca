// Turns the measured series of one run into the table rows, and, because the machine is shared,
// a second opinion from the quiet reps only (reps during which other processes used < 25 % of the CPUs).
import { median } from "./archive-measure.ts";
import type { Row } from "./archive-table.ts";

export type Rep = { ms: number; cpuS: number; othersCpu: number; peakKb: number };
export type Reps = Record<string, Rep[]>;
export const QUIET = 0.25;

const sec = (s: Rep[]) => (s.length ? median(s.map((m) => m.ms)) / 1000 : null);
const cpu = (s: Rep[]) => (s.length ? median(s.map((m) => m.cpuS)) : null);
const worst = (...ss: Rep[][]) => Math.max(0, ...ss.flat().map((m) => m.othersCpu));
const peakMb = (s: Rep[]) => Math.max(0, ...s.map((m) => m.peakKb)) / 1024;
const get = (r: Reps, k: string) => r[k] ?? [];

/** `scale`: "" for the bench image, "4g"/"8g" for the large ones (whose diff target is 1 s). */
export function buildRows(r: Reps, sizes: { xcatBytes: number; oursBytes: number }, scale = ""): Row[] {
  const [ou, cu, bu, of, xp, oi, od, os] = [
    "oursUnpack",
    "cpioUnpack",
    "bsdtarUnpack",
    "oursFull",
    "xcatPack",
    "oursIncr",
    "oursDiff",
    "oursSpare",
  ].map((k) => get(r, k));
  const ours = [ou, of, oi, od, os].filter((s) => s.length);
  return [
    {
      step: "unpack (vs pigz -dc | cpio -idum)",
      ours: sec(ou),
      baseline: sec(cu),
      unit: "s",
      max: 0.6,
      oursCpu: cpu(ou),
      baselineCpu: cpu(cu),
      others: worst(ou, cu),
    },
    {
      step: "unpack (vs bsdtar -xf, reference)",
      ours: sec(ou),
      baseline: sec(bu),
      unit: "s",
      oursCpu: cpu(ou),
      baselineCpu: cpu(bu),
      others: worst(ou, bu),
    },
    {
      step: "full pack (vs xCAT find|cpio|pigz)",
      ours: sec(of),
      baseline: sec(xp),
      unit: "s",
      max: 0.4,
      oursCpu: cpu(of),
      baselineCpu: cpu(xp),
      others: worst(of, xp),
    },
    {
      step: "full pack size",
      ours: sizes.oursBytes ? sizes.oursBytes / 2 ** 20 : null,
      baseline: sizes.xcatBytes / 2 ** 20,
      unit: "MiB",
      max: 1.02,
    },
    {
      step: "one-file repack (vs xCAT full pack)",
      ours: sec(oi),
      baseline: sec(xp),
      unit: "s",
      max: 0.04,
      oursCpu: cpu(oi),
      baselineCpu: cpu(xp),
      others: worst(oi, xp),
    },
    { step: "one-file repack, absolute", ours: sec(oi), baseline: null, unit: "s", abs: 1, others: worst(oi) },
    { step: "(background) spare copy after a publish", ours: sec(os), baseline: null, unit: "s", oursCpu: cpu(os), others: worst(os) },
    {
      step: "diff after one-file edit (CLI)",
      ours: sec(od),
      baseline: null,
      unit: "s",
      abs: scale ? 1 : 0.5,
      oursCpu: cpu(od),
      others: worst(od),
    },
    { step: "peak RSS, max of our steps", ours: ours.length ? Math.max(...ours.map(peakMb)) : null, baseline: null, unit: "MB", abs: 300 },
    { step: "(info) CLI start-up, bin/rootimg --help", ours: sec(get(r, "startup")), baseline: null, unit: "s" },
  ];
}

/** Medians over quiet reps only; unpack and full pack use reps where BOTH sides of the pair were quiet. */
export function quietLines(r: Reps): string[] {
  const quiet = (s: Rep[]) => s.filter((m) => m.othersCpu < QUIET);
  const pairs = (a: Rep[], b: Rep[]) =>
    a.map((m, i) => [m, b[i]] as const).filter(([x, y]) => y && x.othersCpu < QUIET && y.othersCpu < QUIET);
  const line = (name: string, a: Rep[], b: Rep[] | null, target: string) => {
    if (!a.length || (b && !b.length)) return `${name}: no quiet reps`;
    const sa = sec(a)!;
    if (!b) return `${name}: ${sa.toFixed(2)} s over ${a.length} quiet rep(s) (target ${target})`;
    const sb = sec(b)!;
    return `${name}: ours ${sa.toFixed(2)} s / baseline ${sb.toFixed(2)} s = ${(sa / sb).toFixed(3)}× over ${a.length}/${b.length} quiet rep(s) (target ${target})`;
  };
  const up = pairs(get(r, "oursUnpack"), get(r, "cpioUnpack"));
  const fp = pairs(get(r, "oursFull"), get(r, "xcatPack"));
  return [
    line(
      "unpack",
      up.map(([x]) => x),
      up.map(([, y]) => y),
      "≤ 0.6×",
    ),
    line(
      "full pack",
      fp.map(([x]) => x),
      fp.map(([, y]) => y),
      "≤ 0.4×",
    ),
    line("one-file repack", quiet(get(r, "oursIncr")), quiet(get(r, "xcatPack")), "≤ 0.04×"),
    line("diff", quiet(get(r, "oursDiff")), null, "≤ 0.5 s"),
  ];
}
