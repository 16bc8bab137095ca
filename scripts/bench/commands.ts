// Chroot command benchmark. Not a test; never run by CI. See scripts/bench/README.md.
// On a busybox tree with 1,000 extra files (tmpfs when /dev/shm exists): the time from spawning a command to
// its first output, and for a command that touches all 1,000 files, the time to compute its effect from the
// overlay's upper layer and to apply it. Side by side, what an admin runs by hand: plain `chroot TREE /bin/sh -c`
// (no namespaces, no overlay) for the first output, and `find TREE -newer STAMP` (a walk of the whole tree)
// for what a command changed in place. Env: BENCH_REPS (5), BENCH_FILES (1000).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
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

/** Runs a program; resolves with the ms to its first stdout byte and to its exit, and its stdout. */
function timed(file: string, args: string[]): Promise<{ firstMs: number; doneMs: number; out: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "inherit"] });
    let firstMs = 0;
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      firstMs ||= performance.now() - t0;
      out += b;
    });
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve({ firstMs, doneMs: performance.now() - t0, out }) : reject(new Error(`${file} exited ${code}`)),
    );
  });
}
const loadBefore = os.loadavg();

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
    note(
      "baseline: chroot TREE /bin/sh -c 'echo hello', first output, ms",
      (await timed("chroot", [img.tree, "/bin/sh", "-c", "echo hello"])).firstMs,
    );

    const stamp = path.join(img.base, "stamp");
    fs.writeFileSync(stamp, "");

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
    // the admin's way without an overlay: the same appends in the tree itself, then a walk for what is newer
    await timed("chroot", [img.tree, "/bin/sh", "-c", `for f in /data/*; do echo more >> "$f"; done`]);
    const found = await timed("find", [img.tree, "-newer", stamp, "-type", "f"]);
    note(`baseline: find TREE -newer STAMP (${FILES} changed), ms`, found.doneMs);
    if (found.out.trim().split("\n").length !== FILES) throw new Error("find did not list every changed file");
  } finally {
    img.cleanup();
  }
}
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
console.log(`chroot commands, ${REPS} runs, median (min–max); load average before ${load(loadBefore)}, after ${load(os.loadavg())}:`);
for (const [k, xs] of Object.entries(rows))
  console.log(`  ${k.padEnd(66)} ${median(xs).toFixed(0).padStart(6)}  (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`);
const ratio = (a: string, b: string) => (median(rows[a]) / median(rows[b])).toFixed(2);
const keys = Object.keys(rows);
const k = (prefix: string) => keys.find((x) => x.startsWith(prefix)) as string;
console.log(`  ratio first output, sandbox / plain chroot:        ${ratio(k("spawn"), k("baseline: chroot"))}×`);
console.log(`  ratio effect from the upper layer / find -newer:   ${ratio(k("effect"), k("baseline: find"))}×`);
