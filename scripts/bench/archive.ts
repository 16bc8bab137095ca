// Archive benchmark: ours (bin/rootimg) against the tools an xCAT admin uses
// today, side by side in ONE run, each step measured BENCH_REPS times (median).
// Not a test. Run through `scripts/bench/archive` (it builds/caches the image first).
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowseResult, browseRows, browseSteps } from "./archive-browse.ts";
import { busyFraction, waitForQuiet } from "./archive-idle.ts";
import { listingDiff, treeListing } from "./archive-listing.ts";
import { type Measured, measure, median, shell } from "./archive-measure.ts";
import { buildRows, quietLines, type Reps } from "./archive-rows.ts";
import { printTable, rowVerdict } from "./archive-table.ts";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const BENCH = process.env.BENCH_DIR ?? join(REPO, ".cache/bench");
const IMAGE = process.env.BENCH_IMAGE ?? join(BENCH, "image"); // holds rootimg/ and rootimg.cpio.gz
// BENCH_SCALE=4g|8g: the large image (scripts/bench/archive-scale.sh); its work dir is on disk, not tmpfs (RAM is shared).
const SCALE = process.env.BENCH_SCALE ?? "";
const SIZES = ["", "4g", "8g"];
const resultFile = (scale: string) => join(BENCH, `archive-result${scale ? `-${scale}` : ""}.json`);
// tmpfs by default: the shared disk (ext4, discard, other helpers' builds) adds noise that is not ours
// nor xCAT's. BENCH_WORK=<dir on disk> to compare.
const WORK =
  process.env.BENCH_WORK ?? (SCALE ? join(BENCH, `run-${SCALE}`) : existsSync("/dev/shm") ? "/dev/shm/rootimg-bench" : join(BENCH, "run"));
const REPS = Number(process.env.BENCH_REPS ?? 3);
// Ours: bin/rootimg, or (until the CLI exists) the same commands straight on the library.
const CLI = process.env.BENCH_ROOTIMG ?? join(REPO, "bin/rootimg");
const LIB = join(REPO, "lib/archive/index.ts");
const [ROOTIMG, ...ROOTIMG_ARGS] = existsSync(CLI)
  ? [CLI]
  : [process.execPath, "--import", "tsx", join(REPO, "scripts/bench/archive-ours.ts")];
const REF = join(IMAGE, "rootimg.cpio.gz");
const QUIET_MAX_S = Number(process.env.BENCH_WAIT_S ?? 300);
const OURS = process.env.BENCH_OURS !== "0" && (existsSync(CLI) || existsSync(LIB));

const p = (name: string) => join(WORK, name);
const clean = (...paths: string[]) => {
  for (const x of paths) rmSync(x, { recursive: true, force: true });
};
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
// Ours keeps its state next to a tree T in dirname(T)/.rootimg-studio/basename(T)/.
const stateOf = (tree: string) => join(dirname(tree), ".rootimg-studio", "tree");

function ok(m: Measured, what: string): Measured {
  if (m.code !== 0) throw new Error(`${what} failed (exit ${m.code}): ${m.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  log(
    `${what}: ${(m.ms / 1000).toFixed(2)} s (user ${m.userS.toFixed(1)} s, sys ${m.sysS.toFixed(1)} s, others used ${(m.othersCpu * 100).toFixed(0)} % of the CPUs meanwhile), max RSS ${(m.maxRssKb / 1024).toFixed(0)} MB, tree RSS ${(m.treeRssKb / 1024).toFixed(0)} MB`,
  );
  return m;
}
// A failure of ours is recorded, not fatal: the baseline numbers of the run stay useful.
let oursFailed: string | null = null;
async function rootimg(args: string[], what: string, into?: Measured[]): Promise<Measured | null> {
  if (oursFailed) return null;
  try {
    const m = ok(await measure({ cmd: ROOTIMG, args: [...ROOTIMG_ARGS, ...args] }), what);
    into?.push(m);
    return m;
  } catch (e) {
    oursFailed = e instanceof Error ? e.message : String(e);
    log(`ours failed, skipping the rest of ours: ${oursFailed}`);
    return null;
  }
}

type Series = Measured[];
const oursOk = () => OURS && !oursFailed;
const sec = (s: Series) => median(s.map((m) => m.ms)) / 1000;
const peakMb = (s: Series) => Math.max(...s.map((m) => Math.max(m.maxRssKb, m.treeRssKb))) / 1024;
let browse: BrowseResult | undefined;

async function main() {
  if (!existsSync(REF)) throw new Error(`no cached image at ${IMAGE}: run scripts/bench/archive (it builds it)`);
  log(
    `image ${IMAGE}, work dir ${WORK}, ${REPS} reps, ours ${OURS ? [ROOTIMG, ...ROOTIMG_ARGS].join(" ") : "not available (baseline only)"}`,
  );
  clean(WORK);
  mkdirSync(WORK, { recursive: true });
  const tree = p("tree"); // our unpack lands here and is then edited, diffed and packed
  const r: Record<string, Series> = {
    cpioUnpack: [],
    bsdtarUnpack: [],
    oursUnpack: [],
    xcatPack: [],
    oursFull: [],
    oursSpare: [],
    oursIncr: [],
    oursDiff: [],
    startup: [],
  };
  const load: Record<string, string> = {
    start: loadavg()
      .map((x) => x.toFixed(2))
      .join(" "),
  };

  const busy: Record<string, number> = {};
  const quiet = async (step: string) => (busy[step] = await waitForQuiet({ threshold: 0.25, maxS: QUIET_MAX_S, log }));
  await quiet("unpack");
  // 1. Unpack, interleaved so that drift on a shared machine hits every tool alike.
  for (let i = 1; i <= REPS; i++) {
    clean(p("cpio-x"));
    mkdirSync(p("cpio-x"));
    r.cpioUnpack.push(ok(await shell('pigz -dc "$1" | (cd "$2" && cpio -idum)', [REF, p("cpio-x")]), `unpack pigz|cpio #${i}`));
    // bsdtar is a reference only: at scale it would cost one more multi-GB extraction per rep.
    if (!SCALE) {
      clean(p("bsdtar-x"));
      mkdirSync(p("bsdtar-x"));
      r.bsdtarUnpack.push(ok(await shell('bsdtar -xf "$1" -C "$2"', [REF, p("bsdtar-x")]), `unpack bsdtar #${i}`));
      clean(p("bsdtar-x")); // keep at most two trees at once (tmpfs is RAM)
    }
    if (oursOk()) {
      clean(tree, stateOf(tree));
      await rootimg(["unpack", REF, tree], `unpack ours #${i}`, r.oursUnpack);
    }
  }
  const checks: Record<string, string> = {};
  if (!oursOk()) {
    // Baseline-only (or ours failed): pack the tree GNU cpio extracted.
    clean(tree);
    await shell('mv "$1" "$2"', [p("cpio-x"), tree]);
  } else {
    log("check: our unpack vs GNU cpio's unpack (listings, dir/symlink mtimes excluded)");
    const d = listingDiff(await treeListing(p("cpio-x")), await treeListing(tree));
    checks["unpack: ours lists the same as pigz|cpio -idum"] = d.length ? `NO\n    ${d.join("\n    ")}` : "yes";
  }
  clean(p("cpio-x"), p("bsdtar-x"));

  // 2. Full pack of the same tree.
  load.fullPack = loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
  await quiet("fullPack");
  for (let i = 1; i <= REPS; i++) {
    clean(p("xcat-out"));
    mkdirSync(p("xcat-out"));
    r.xcatPack.push(
      ok(await shell('find . -xdev | cpio -H newc -o | pigz -c > "$1"', [p("xcat-out/rootimg.cpio.gz")], tree), `full pack xCAT #${i}`),
    );
    if (oursOk()) {
      clean(p("ours-out"));
      mkdirSync(p("ours-out"));
      await rootimg(["pack", tree, p("ours-out/rootimg.cpio.gz"), "--full"], `full pack ours #${i}`, r.oursFull);
    }
  }
  const xcatSize = statSync(p("xcat-out/rootimg.cpio.gz")).size;
  const oursSize = oursOk() ? statSync(p("ours-out/rootimg.cpio.gz")).size : 0;
  if (oursOk()) {
    log("check: our full pack extracted by pigz -dc | cpio -idum lists the same as the tree");
    clean(p("check-x"));
    mkdirSync(p("check-x"));
    ok(await shell('pigz -dc "$1" | (cd "$2" && cpio -idum)', [p("ours-out/rootimg.cpio.gz"), p("check-x")]), "extract ours with cpio");
    const d = listingDiff(await treeListing(tree), await treeListing(p("check-x")));
    checks["full pack: cpio -idum of ours lists the same as the tree"] = d.length ? `NO\n    ${d.join("\n    ")}` : "yes";
    clean(p("check-x"));
  }

  // 3+4. One-file edit: diff, then incremental repack (compared with xCAT's full pack above,
  // which is what xCAT does after any edit). After each publish the spare copy the next repack starts
  // from is made as its own step (the server makes it in the background after a pack job).
  if (oursOk()) {
    load.oneFileEdit = loadavg()
      .map((x) => x.toFixed(2))
      .join(" ");
    await rootimg(["spare", p("ours-out/rootimg.cpio.gz")], "spare after the full pack", r.oursSpare);
    await quiet("oneFileEdit");
    for (let i = 1; i <= REPS && oursOk(); i++) {
      appendFileSync(join(tree, "etc/motd"), `benchmark edit ${i} ${new Date().toISOString()}\n`);
      const d = await rootimg(["diff", tree], `diff ours #${i}`, r.oursDiff);
      if (d && !/etc\/motd/.test(d.stdout)) checks[`diff #${i} reports etc/motd`] = `NO: ${d.stdout.slice(0, 200)}`;
      const inc = await rootimg(["pack", tree, p("ours-out/rootimg.cpio.gz")], `incremental pack ours #${i}`, r.oursIncr);
      if (inc && !/from the spare/.test(inc.stdout)) checks[`incremental pack #${i} started from the spare`] = `NO: ${inc.stdout.trim()}`;
      clean(p("ours-out/.rootimg-studio/versions")); // earlier archives kept by ours: 250 MB each
      if (i < REPS) await rootimg(["spare", p("ours-out/rootimg.cpio.gz")], `spare after incremental pack #${i}`, r.oursSpare);
    }
    checks["diff reports etc/motd after the edit"] ??= "yes";
    log("check: incremental archive's stream equals a full pack's");
    clean(p("full-check"));
    mkdirSync(p("full-check"));
    await rootimg(["pack", tree, p("full-check/rootimg.cpio.gz"), "--full"], "full pack for comparison");
    const hash = async (f: string) => ok(await shell('pigz -dc "$1" | sha256sum', [f]), `hash ${f}`).stdout.split(" ")[0];
    const [a, b] = [await hash(p("ours-out/rootimg.cpio.gz")), await hash(p("full-check/rootimg.cpio.gz"))];
    checks["incremental stream == full pack stream"] = a === b ? "yes" : `NO (${a} vs ${b})`;
    const v = await measure({ cmd: ROOTIMG, args: [...ROOTIMG_ARGS, "verify", p("ours-out/rootimg.cpio.gz")] });
    checks["bin/rootimg verify of the incremental archive"] = v.code === 0 ? `yes: ${v.stdout.trim()}` : `NO: ${v.stderr.trim()}`;
    // CLI start-up alone (node + tsx), to tell it apart from the work in short steps such as diff.
    for (let i = 0; i < REPS; i++) r.startup.push(await measure({ cmd: ROOTIMG, args: [...ROOTIMG_ARGS, "--help"] }));
    // At scale: the file browser and the pending-changes work, in one process as the server runs them.
    if (SCALE || process.env.BENCH_BROWSE === "1") {
      load.browse = loadavg()
        .map((x) => x.toFixed(2))
        .join(" ");
      log("file browser and pending-changes work on the edited tree (scripts/bench/browse.ts)");
      const b = await measure({ cmd: process.execPath, args: ["--import", "tsx", join(REPO, "scripts/bench/browse.ts"), tree] });
      if (b.code === 0) browse = JSON.parse(b.stdout.trim().split("\n").pop()!) as BrowseResult;
      else checks["browse bench ran"] = `NO: ${b.stderr.trim().split("\n").slice(-3).join(" | ")}`;
    }
  }

  busy.afterRun = await busyFraction();
  load.end = loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
  checks["load average (1/5/15 min) at the start of each phase"] = JSON.stringify(load);
  checks["CPU used by others before each series (0-1)"] = JSON.stringify(busy);
  if (oursFailed) checks["ours ran without failure"] = `NO: ${oursFailed}`;
  const reps: Reps = Object.fromEntries(
    Object.entries(r).map(([k, ms]) => [
      k,
      ms.map((m) => ({ ms: m.ms, cpuS: m.userS + m.sysS, othersCpu: m.othersCpu, peakKb: Math.max(m.maxRssKb, m.treeRssKb) })),
    ]),
  );
  const rows = [...buildRows(reps, { xcatBytes: xcatSize, oursBytes: oursSize }, SCALE), ...browseRows(browse)];
  printTable(rows, checks, quietLines(reps));
  const perStep = Object.fromEntries([
    ...Object.entries(r).map(([k, s]) => [
      k,
      {
        runsS: s.map((m) => +(m.ms / 1000).toFixed(3)),
        cpuS: s.map((m) => +(m.userS + m.sysS).toFixed(2)),
        othersCpu: s.map((m) => +m.othersCpu.toFixed(2)),
        medianS: s.length ? +sec(s).toFixed(3) : null,
        peakRssMb: s.length ? +peakMb(s).toFixed(1) : null,
      },
    ]),
    ...browseSteps(browse),
  ]);
  const result = {
    date: new Date().toISOString(),
    scale: SCALE || "base",
    image: IMAGE,
    work: WORK,
    reps: REPS,
    loadavg: load,
    busyByOthers: busy,
    sizes: { xcatBytes: xcatSize, oursBytes: oursSize },
    rows: rows.map((row) => ({ ...row, ...rowVerdict(row) })),
    checks,
    perStep,
    browse,
  };
  mkdirSync(BENCH, { recursive: true });
  writeFileSync(resultFile(SCALE), `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${resultFile(SCALE)}`);
  printGrowth();
  if (process.env.BENCH_KEEP !== "1") clean(WORK);
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (process.env.BENCH_KEEP !== "1") clean(WORK);
    process.exit(130);
  });
}

/**
 * Growth of each step's time and peak memory between the sizes measured so far (the base bench image, 4g, 8g),
 * from their result files: a step whose cost follows the edit stays flat, one that follows the image grows ~2x
 * from 4g to 8g.
 */
function printGrowth(): void {
  type Step = { medianS: number | null; peakRssMb: number | null };
  const runs = SIZES.filter((z) => existsSync(resultFile(z))).map((z) => ({
    z: z || "base",
    steps: JSON.parse(readFileSync(resultFile(z), "utf8")).perStep as Record<string, Step>,
  }));
  if (runs.length < 2) return;
  const steps = [
    "cpioUnpack",
    "oursUnpack",
    "xcatPack",
    "oursFull",
    "oursSpare",
    "oursIncr",
    "oursDiff",
    "diffInProcess",
    "list10kP95",
    "searchWarm",
    "searchFirst",
  ];
  const cell = (v: number | null | undefined, unit: string) => (v == null ? "—" : `${v.toFixed(unit === "s" ? 2 : 0)} ${unit}`);
  const growth = (a: number | null | undefined, b: number | null | undefined) => (a && b ? `${(b / a).toFixed(2)}×` : "—");
  const head = runs.map((x) => x.z);
  const lines = [
    `| step | ${head.map((h) => `${h} time / peak RSS`).join(" | ")} | ${head
      .slice(1)
      .map((h, i) => `growth ${head[i]}→${h} time / RSS`)
      .join(" | ")} |`,
    `|---|${head.map(() => "---|").join("")}${head
      .slice(1)
      .map(() => "---|")
      .join("")}`,
  ];
  for (const k of steps) {
    const v = runs.map((x) => x.steps[k]);
    if (v.every((x) => !x?.medianS)) continue;
    lines.push(
      `| ${k} | ${v.map((x) => `${cell(x?.medianS, "s")} / ${cell(x?.peakRssMb, "MB")}`).join(" | ")} | ${v
        .slice(1)
        .map((x, i) => `${growth(v[i]?.medianS, x?.medianS)} / ${growth(v[i]?.peakRssMb, x?.peakRssMb)}`)
        .join(" | ")} |`,
    );
  }
  process.stdout.write(
    `\ngrowth between sizes (each from its own run; ratios inside one run are the robust numbers):\n${lines.join("\n")}\n`,
  );
}

/** `archive.ts --render FILE.json`: prints the table of an earlier run again (no measuring). */
function render(file: string) {
  const j = JSON.parse(readFileSync(file, "utf8"));
  const reps: Reps = Object.fromEntries(
    Object.entries(j.perStep as Record<string, { runsS: number[]; cpuS: number[]; othersCpu?: number[]; peakRssMb: number | null }>).map(
      ([k, v]) => [
        k,
        v.runsS.map((s, i) => ({ ms: s * 1000, cpuS: v.cpuS[i], othersCpu: v.othersCpu?.[i] ?? 0, peakKb: (v.peakRssMb ?? 0) * 1024 })),
      ],
    ),
  );
  process.stdout.write(`run of ${j.date}, work dir ${j.work}\n`);
  printTable([...buildRows(reps, j.sizes, j.scale === "base" ? "" : (j.scale ?? "")), ...browseRows(j.browse)], j.checks, quietLines(reps));
  printGrowth();
}

const renderAt = process.argv.indexOf("--render");
if (renderAt >= 0) {
  render(process.argv[renderAt + 1]);
  process.exit(0);
}

main().catch((e: unknown) => {
  if (process.env.BENCH_KEEP !== "1") clean(WORK);
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
