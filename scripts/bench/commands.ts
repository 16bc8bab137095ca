// Chroot command benchmark. Not a test; never run by CI. See scripts/bench/README.md.
// On a busybox tree with 1,000 extra files (tmpfs when /dev/shm exists): the time from spawning a command to
// its first output, and for a command that touches all 1,000 files, the time to compute its effect from the
// overlay's upper layer and to apply it. Env: BENCH_REPS (5), BENCH_FILES (1000).
import fs from "node:fs";
import path from "node:path";
import { applyEffect } from "@/lib/chroot/apply-effect";
import { readOverlayEffect, readOverlayXattrs } from "@/lib/chroot/overlay-effect";
import { prepareRunDir, runInChroot } from "@/lib/chroot/run-in-chroot";
import { makeBusyboxTree } from "@/lib/chroot/test-tree";

const REPS = Number(process.env.BENCH_REPS ?? 5);
const FILES = Number(process.env.BENCH_FILES ?? 1000);
if (fs.existsSync("/dev/shm")) process.env.TMPDIR = "/dev/shm";
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows: Record<string, number[]> = {};
const note = (k: string, ms: number) => (rows[k] ??= []).push(ms);

for (let rep = 0; rep < REPS; rep++) {
  const img = makeBusyboxTree();
  try {
    fs.mkdirSync(path.join(img.tree, "data"));
    for (let i = 0; i < FILES; i++) fs.writeFileSync(path.join(img.tree, "data", `f${i}`), `file ${i}\n`);

    const first = img.runDir(`first-${rep}`);
    prepareRunDir(first);
    const t0 = performance.now();
    let firstAt = 0;
    await runInChroot({
      tree: img.tree,
      runDir: first,
      runId: `bench-first-${rep}`,
      mode: "overlay",
      argv: ["/bin/sh", "-c", "echo hello"],
      onOutput: () => (firstAt ||= performance.now()),
    });
    note("spawn → first output (echo), ms", firstAt - t0);

    const touch = img.runDir(`touch-${rep}`);
    prepareRunDir(touch);
    const t1 = performance.now();
    const r = await runInChroot({
      tree: img.tree,
      runDir: touch,
      runId: `bench-touch-${rep}`,
      mode: "overlay",
      argv: ["/bin/sh", "-c", `for f in /data/*; do echo more >> "$f"; done`],
      onOutput: () => {},
    });
    if (r.exitCode !== 0) throw new Error(`the touching command failed: ${r.exitCode}`);
    note(`command touching ${FILES} files (run), ms`, performance.now() - t1);
    const upper = path.join(touch, "upper");
    const t2 = performance.now();
    const xattrs = await readOverlayXattrs(upper);
    const effect = await readOverlayEffect({ lower: img.tree, upper, xattrs });
    note(`effect of ${FILES} changed files (read upper + compare), ms`, performance.now() - t2);
    if (effect.length !== FILES) throw new Error(`expected ${FILES} changes, got ${effect.length}`);
    const t3 = performance.now();
    await applyEffect({ tree: img.tree, upper, effect, originals: path.join(img.base, "originals"), xattrs });
    note(`apply of ${FILES} changed files (originals kept), ms`, performance.now() - t3);
  } finally {
    img.cleanup();
  }
}
console.log(`chroot commands, ${REPS} runs, median (min–max):`);
for (const [k, xs] of Object.entries(rows))
  console.log(`  ${k.padEnd(58)} ${median(xs).toFixed(0).padStart(6)}  (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`);
