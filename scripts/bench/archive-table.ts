// Prints the benchmark table: step | ours | baseline | ratio | target | met?
export type Row = {
  step: string;
  ours: number | null;
  baseline: number | null;
  unit: string;
  max?: number; // target on ours/baseline
  abs?: number; // target on ours itself, in `unit`
  oursCpu?: number | null; // median CPU seconds (user+sys): robust when others load the machine
  baselineCpu?: number | null;
  others?: number; // worst share of the CPUs other processes used during any rep of this row
};

const fmt = (v: number | null, unit: string) => (v === null ? "—" : `${v.toFixed(unit === "s" ? 2 : 1)} ${unit}`);

export function rowVerdict(r: Row): { ratio: number | null; target: string; met: string } {
  const ratio = r.ours !== null && r.baseline ? r.ours / r.baseline : null;
  if (r.max !== undefined) {
    return { ratio, target: `≤ ${r.max}×`, met: ratio === null ? "n/a" : ratio <= r.max ? "yes" : "NO" };
  }
  if (r.abs !== undefined) {
    return { ratio, target: `≤ ${r.abs} ${r.unit}`, met: r.ours === null ? "n/a" : r.ours <= r.abs ? "yes" : "NO" };
  }
  return { ratio, target: "—", met: "" };
}

export function printTable(rows: Row[], checks: Record<string, string>, quiet: string[] = []): void {
  const lines = [
    "| step | ours | baseline | ratio | target | met? | CPU s ours / baseline | others' CPU (worst rep) |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map((r) => {
      const v = rowVerdict(r);
      const ratio = v.ratio === null ? "—" : `${v.ratio.toFixed(3)}×`;
      const cpu =
        r.oursCpu != null && r.baselineCpu
          ? `${r.oursCpu.toFixed(1)} / ${r.baselineCpu.toFixed(1)} = ${(r.oursCpu / r.baselineCpu).toFixed(2)}×`
          : r.oursCpu != null
            ? `${r.oursCpu.toFixed(2)} / —`
            : "—";
      const others = r.others === undefined ? "—" : `${(r.others * 100).toFixed(0)} %${r.others > 0.25 ? " (contended)" : ""}`;
      return `| ${r.step.replaceAll("|", "\\|")} | ${fmt(r.ours, r.unit)} | ${fmt(r.baseline, r.unit)} | ${ratio} | ${v.target} | ${v.met} | ${cpu} | ${others} |`;
    }),
  ];
  process.stdout.write(`${lines.join("\n")}\n\n`);
  for (const q of quiet) process.stdout.write(`quiet reps only: ${q}\n`);
  if (quiet.length) process.stdout.write("\n");
  for (const [k, v] of Object.entries(checks)) process.stdout.write(`check: ${k}: ${v}\n`);
}
