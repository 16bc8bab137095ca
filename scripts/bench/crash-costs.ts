// What crash consistency costs outside the save path (the save path: save-write.ts). Not a test; run by hand, as root:
//   node --import tsx scripts/bench/crash-costs.ts
// 1. The pack's check for product temp files: isProductTempName over every entry of a real tree, beside the
//    pack's own walk of that tree (walkTree) and `find TREE -xdev` (the admin's tool), same run, interleaved.
// 2. The start-up sweep of a tree for temp files of earlier builds (sweepTreeTemps, once per tree), beside
//    `find TREE -xdev -type f -name '.*.rootimg-*'`.
// 3. The start-up reconcile of an image whose published archive is its live version (the common case: nothing
//    to do), and one listing's reconcile check, beside one query of the live version (the least start-up does).
// The tree is a hard-linked copy (`cp -al`) of BENCH_TREE (default /usr) under BENCH_DIR (default the OS temp
// dir; must be on the same file system), removed at the end. BENCH_REPS (default 7) per row; prints medians and
// ratios as markdown, with the load average before and after.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTempDatabase } from "@/lib/xcat/test-db";

const REPS = Number(process.env.BENCH_REPS ?? 7);
const data = createTempDatabase("rootimg-bench-crash-");
process.env.ROOTIMG_XCAT_LOCK_DIR = path.join(data, "lock");
process.env.ROOTIMG_DEMO_IMAGE = "0";
const { walkTree } = await import("@/lib/archive/walk-tree");
const { isProductTempName } = await import("@/lib/archive/product-temps");
const { sweepTreeTemps } = await import("@/lib/images/sweep-image-temps");
const { stateDirFor } = await import("@/lib/archive/state-dir");
const { prisma } = await import("@/lib/db/client");
const { activeJobs } = await import("@/lib/jobs/active-jobs");
const { getBackend } = await import("@/lib/xcat/select-backend");
const { unpackImage } = await import("@/lib/images/unpack-image");
const { packImage } = await import("@/lib/images/pack-image");
const { reconcileAtStart, publishedDiffersFromLive } = await import("@/lib/images/reconcile-published");

const load = () => fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
// CPU time (user + system) of this process per step, beside the wall clock: on a loaded machine the wall clock of
// a short in-process step is mostly time spent waiting for a CPU.
const cpu: Record<string, number[]> = {};
async function timed(fn: () => unknown, key?: string): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const wall = ms(t0);
  const c = process.cpuUsage(c0);
  if (key) (cpu[key] ??= []).push((c.user + c.system) / 1000);
  return wall;
}

const base = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), "rootimg-bench-crash-"));
const rootimgdir = path.join(base, "image");
const tree = path.join(rootimgdir, "rootimg");
try {
  console.error(`load before: ${load()}`);
  fs.mkdirSync(rootimgdir);
  execFileSync("cp", ["-al", process.env.BENCH_TREE ?? "/usr", tree]);

  // 1 and 2
  const t: Record<string, number[]> = {};
  let entries = 0;
  let temps = 0;
  for (let i = 0; i < REPS; i++) {
    let walked: Awaited<ReturnType<typeof walkTree>> = [];
    (t.walk ??= []).push(await timed(async () => (walked = await walkTree(tree, { xdev: true })), "walk"));
    entries = walked.length;
    (t.check ??= []).push(
      await timed(() => {
        // as pack-tree.ts refuseProductTemps filters the walked entries
        temps = walked.filter((e) => e.rel.includes(".rootimg-") && e.type === "file" && isProductTempName(path.basename(e.rel))).length;
      }, "check"),
    );
    (t.find ??= []).push(await timed(() => spawnSync("find", [tree, "-xdev"], { stdio: ["ignore", "ignore", "inherit"] })));
    fs.rmSync(path.join(stateDirFor(fs.realpathSync(tree)), "tree-temps-swept"), { force: true });
    (t.sweep ??= []).push(await timed(() => sweepTreeTemps(rootimgdir, true), "sweep"));
    (t.findTemps ??= []).push(
      await timed(() =>
        spawnSync("find", [tree, "-xdev", "-type", "f", "-name", ".*.rootimg-*"], { stdio: ["ignore", "ignore", "inherit"] }),
      ),
    );
  }
  const m = (k: string) => median(t[k]);
  const c = (k: string) => median(cpu[k]).toFixed(1);
  console.log(`| ${entries} entries (${REPS} reps, medians) | wall ms | CPU ms | ratio (wall) |\n|---|---|---|---|`);
  console.log(`| pack's walk of the tree (walkTree) | ${m("walk").toFixed(1)} | ${c("walk")} | 1 |`);
  console.log(
    `| pack's temp-name check over the walked entries (${temps} found) | ${m("check").toFixed(2)} | ${c("check")} | ${(m("check") / m("walk")).toFixed(4)} × walk |`,
  );
  console.log(`| find TREE -xdev | ${m("find").toFixed(1)} | | ${(m("find") / m("walk")).toFixed(2)} × walk |`);
  console.log(
    `| start-up sweep of the tree, first start only (sweepTreeTemps) | ${m("sweep").toFixed(1)} | ${c("sweep")} | ${(m("sweep") / m("findTemps")).toFixed(2)} × find |`,
  );
  console.log(`| find TREE -xdev -type f -name '.*.rootimg-*' | ${m("findTemps").toFixed(1)} | | 1 |`);

  // 3: a small image packed once by the product, then start-up and listings with nothing to reconcile
  fs.rmSync(tree, { recursive: true, force: true });
  fs.mkdirSync(path.join(tree, "etc"), { recursive: true });
  fs.writeFileSync(path.join(tree, "etc/motd"), "bench\n");
  const user = { id: "bench", username: "bench" };
  await (getBackend() as import("@/lib/xcat/local-backend").LocalBackend).registerImage({
    imagename: "bench",
    osvers: "x",
    osarch: "x86_64",
    profile: "bench",
    rootimgdir,
  });
  const done = async (jobId: string) => {
    await activeJobs.get(jobId)?.finished;
    return (await prisma.job.findUniqueOrThrow({ where: { id: jobId } })).state;
  };
  if ((await done((await unpackImage({ name: "bench", user, mode: "use-existing" })).jobId!)) !== "succeeded")
    throw new Error("unpack failed");
  if ((await done((await packImage({ name: "bench", user })).jobId)) !== "succeeded") throw new Error("pack failed");
  // the pack copies its spare in the background: not during the timings
  for (let i = 0; i < 600 && !fs.existsSync(path.join(rootimgdir, ".rootimg-studio/.spare/rootimg.cpio.gz.json")); i++)
    await new Promise((res) => setTimeout(res, 100));
  const r: Record<string, number[]> = {};
  const N = REPS * 30;
  for (let i = 0; i < N; i++) {
    (r.query ??= []).push(await timed(() => prisma.imageVersion.findFirst({ where: { image: "bench", live: true } })));
    (r.start ??= []).push(
      await timed(async () => {
        const ev = await reconcileAtStart({ image: "bench", rootimgdir, log: () => {} });
        if (ev.length) throw new Error(`unexpected reconcile: ${JSON.stringify(ev)}`);
      }),
    );
    (r.listing ??= []).push(
      await timed(async () => {
        if (await publishedDiffersFromLive("bench", rootimgdir)) throw new Error("the listing would reconcile");
      }),
    );
  }
  console.log(`\n| image with nothing to reconcile (${N} each) | p50 ms | p95 ms |\n|---|---|---|`);
  console.log(`| one query of the live version (reference) | ${pct(r.query, 50).toFixed(2)} | ${pct(r.query, 95).toFixed(2)} |`);
  console.log(`| start-up reconcile (reconcileAtStart) | ${pct(r.start, 50).toFixed(2)} | ${pct(r.start, 95).toFixed(2)} |`);
  console.log(`| a listing's check (publishedDiffersFromLive) | ${pct(r.listing, 50).toFixed(2)} | ${pct(r.listing, 95).toFixed(2)} |`);
  console.error(`load after: ${load()}`);
} finally {
  await prisma.$disconnect();
  fs.rmSync(base, { recursive: true, force: true });
  fs.rmSync(data, { recursive: true, force: true });
}
