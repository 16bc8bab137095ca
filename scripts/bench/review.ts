// The review's diff and version compare on the realistic image: time to open the diff of a changed file
// (pristine bytes from the copies kept at unpack, from the member index of an archive the product packed, and
// from a read of a foreign single-stream archive), time to compare two versions, and the disk cost of the
// copies kept at unpack. Not a test. Run: `node --import tsx scripts/bench/review.ts` (as root; env below).
// BENCH_ARCHIVE: a foreign rootimg.cpio.gz (default .cache/bench/image/rootimg.cpio.gz, xCAT's pipeline);
// BENCH_WORK: scratch directory (default a new one under /tmp; removed at the end); BENCH_REPS (5).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { packTree } from "@/lib/archive/pack-tree";
import { unpackArchive } from "@/lib/archive/unpack-archive";
import { recordTreeManifest } from "@/lib/images/record-tree-manifest";
import { changeDiffOfTree } from "@/lib/review/change-diff";
import { dropPristineStore, pristineManifest, pristineStoreSize, seedPristineAtUnpack } from "@/lib/review/pristine-store";
import { compareArchives, fileInArchive } from "@/lib/review/version-compare";

const archive = path.resolve(process.env.BENCH_ARCHIVE ?? ".cache/bench/image/rootimg.cpio.gz");
const work = process.env.BENCH_WORK ?? fs.mkdtempSync(path.join(os.tmpdir(), "rootimg-bench-review-"));
fs.mkdirSync(work, { recursive: true });
const REPS = Number(process.env.BENCH_REPS ?? 5);
const rows: [string, string][] = [];
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

async function timed(label: string, fn: () => Promise<unknown>, reps = REPS): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  const med = t[Math.floor(t.length / 2)];
  rows.push([label, `${med.toFixed(0)} ms (median of ${reps}; min ${t[0].toFixed(0)}, max ${t.at(-1)!.toFixed(0)})`]);
  return med;
}

const diffOf = async (tree: string, p: string, kind: string) => {
  const d = await changeDiffOfTree({ image: "bench", tree, imagePath: p, sources: [] });
  if (d.kind !== kind) throw new Error(`${p}: expected ${kind}, got ${d.kind}`);
  return d;
};

try {
  const tree = path.join(work, "rootimg");
  let s = performance.now();
  await unpackArchive({ archive, dest: tree });
  rows.push(["unpack of the foreign archive (for reference)", `${(performance.now() - s).toFixed(0)} ms`]);
  s = performance.now();
  const seed = await seedPristineAtUnpack(tree);
  rows.push(["copies kept at unpack: time", `${(performance.now() - s).toFixed(0)} ms`]);
  const pm = (await pristineManifest(tree))!;
  const files = pm.manifest.entries.filter((e) => e.type === "file");
  const treeBytes = files.reduce((a, e) => a + e.size, 0);
  rows.push([
    "copies kept at unpack: files",
    `${seed.distinct} distinct text files <= 256 KiB (${seed.files} paths) of ${files.length} files`,
  ]);
  rows.push([
    "copies kept at unpack: disk",
    `${mb(pristineStoreSize(tree))} on disk (${mb(seed.rawBytes)} raw text; archive ${mb(fs.statSync(archive).size)}, tree ${mb(treeBytes)})`,
  ]);

  fs.appendFileSync(path.join(tree, "etc/motd"), "edited by hand for the review bench\n");
  await timed("diff of etc/motd changed by hand, pristine from the copies kept at unpack", () => diffOf(tree, "/etc/motd", "content"));
  const ls = path.join(tree, "usr/bin/ls");
  const lsBytes = fs.readFileSync(ls);
  fs.writeFileSync(ls, Buffer.concat([lsBytes, Buffer.from("x")]));
  await timed(
    "diff of usr/bin/ls (ELF) changed by hand, foreign single stream read up to it",
    () => diffOf(tree, "/usr/bin/ls", "content"),
    3,
  );
  fs.writeFileSync(ls, lsBytes);
  dropPristineStore(tree);
  await timed("diff of etc/motd, nothing kept, foreign single stream read up to it", () => diffOf(tree, "/etc/motd", "content"), 3);

  // As after a pack by the product: its archive is the pristine one, located through the member index.
  const live = path.join(work, "rootimg.cpio.gz");
  s = performance.now();
  await packTree({ tree, archive: live, full: true });
  rows.push(["full pack by the product (for reference)", `${(performance.now() - s).toFixed(0)} ms`]);
  await recordTreeManifest({ tree, source: live, previous: pm.manifest });
  const v1 = path.join(work, "1-rootimg.cpio.gz");
  fs.linkSync(live, v1);
  fs.appendFileSync(path.join(tree, "etc/motd"), "and once more\n");
  await timed("diff of etc/motd changed by hand, product-packed archive, member index", () => diffOf(tree, "/etc/motd", "content"));
  s = performance.now();
  await packTree({ tree, archive: live });
  rows.push(["one-file repack (for reference)", `${(performance.now() - s).toFixed(0)} ms`]);
  const v2 = path.join(work, "2-rootimg.cpio.gz");
  fs.linkSync(live, v2);
  let last: Awaited<ReturnType<typeof compareArchives>> | undefined;
  await timed(
    "compare two product-packed versions (one file changed): list",
    async () => {
      last = await compareArchives(v1, v2);
    },
    3,
  );
  rows.push([
    "  members skipped / read",
    `${last!.members.skipped} of ${last!.members.to} skipped; ${mb(last!.bytesInflated)} inflated; ${last!.changes.length} changes: ${last!.changes.map((c) => c.path).join(", ")}`,
  ]);
  await timed(
    "compare two product-packed versions: etc/motd both sides",
    () => Promise.all([fileInArchive(v1, "/etc/motd"), fileInArchive(v2, "/etc/motd")]),
    3,
  );
  await timed(
    "compare the foreign archive with a product-packed version (read whole)",
    async () => {
      last = await compareArchives(archive, v2);
    },
    1,
  );
  rows.push(["  changes found", `${last!.changes.length} (${mb(last!.bytesInflated)} inflated)`]);
  console.log("| step | result |\n|---|---|");
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
} finally {
  if (!process.env.BENCH_WORK) fs.rmSync(work, { recursive: true, force: true });
}
