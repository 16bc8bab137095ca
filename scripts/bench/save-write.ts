// Measures the write path of a 100 KB editor save (lib/image saveImageFile, no HTTP): a file with one name
// (temp file + rename) and one with two hard links (kept on its inode). Not a test; run by hand:
//   node --import tsx scripts/bench/save-write.ts          (BENCH_N saves of each, default 200)
// BENCH_BASELINE=<another checkout's root> also times that checkout's saveImageFile, save for save interleaved
// with this one's in the same process, so load on a shared machine hits both alike (`git archive REV lib | tar -x`).
// The tree is created under BENCH_DIR (default: the OS temp dir, which should be a real disk, not tmpfs:
// fsync is what a save pays for) and removed at the end. Prints p50/p95 in milliseconds as a markdown table.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { etagOf } from "@/lib/image/read-image-file";
import { saveImageFile } from "@/lib/image/save-image-file";

const N = Number(process.env.BENCH_N ?? 200);
const base = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), "rootimg-bench-save-"));
const root = path.join(base, "rootimg");
fs.mkdirSync(path.join(root, "etc"), { recursive: true });
const line = "option value = 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\n";
const text = (i: number) => `# save ${i}\n${line.repeat(Math.ceil((100 * 1024) / line.length))}`.slice(0, 100 * 1024);
fs.writeFileSync(path.join(root, "etc/single.conf"), text(-1));
fs.writeFileSync(path.join(root, "etc/linked.conf"), text(-1));
fs.linkSync(path.join(root, "etc/linked.conf"), path.join(root, "etc/linked.conf.link"));

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
type Save = typeof saveImageFile;
const savers: [string, Save][] = [["", saveImageFile]];
if (process.env.BENCH_BASELINE)
  savers.push([
    "baseline: ",
    (await import(path.resolve(process.env.BENCH_BASELINE, "lib/image/save-image-file.ts"))).saveImageFile as Save,
  ]);
const times: Record<string, number[]> = {};
try {
  for (let i = 0; i < N; i++) {
    // interleaved so load on the shared machine hits every row alike
    for (const [label, file] of [
      ["one name (rename)", "/etc/single.conf"],
      ["two hard links (in place)", "/etc/linked.conf"],
    ] as const) {
      for (const [who, save] of savers) {
        const etag = etagOf(fs.readFileSync(path.join(root, file)));
        const t0 = process.hrtime.bigint();
        await save({ root, path: file, content: text(i), encoding: "utf-8", etag });
        (times[who + label] ??= []).push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
  }
  if (fs.readFileSync(path.join(root, "etc/linked.conf.link"), "utf8") !== text(N - 1)) throw new Error("the second name lost the content");
  console.log(`| 100 KB save, ${N} each | p50 ms | p95 ms |\n|---|---|---|`);
  for (const [label, xs] of Object.entries(times)) console.log(`| ${label} | ${pct(xs, 50).toFixed(2)} | ${pct(xs, 95).toFixed(2)} |`);
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
