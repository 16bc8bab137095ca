import fs from "node:fs";
import path from "node:path";
import { isProductTempName } from "@/lib/archive/product-temps";
import { stateDirFor } from "@/lib/archive/state-dir";
import { mountsBelow } from "./tree-mount";

const PATTERNS = [
  /^\.rootimg\.(cpio|tar)\.(gz|xz)\.tmp-(\d+)-[0-9a-f]+$/,
  /^\.rootimg\.unpack-/,
  /^\.rootimg\.rollback-(\d+)$/,
  /^\.rootimg-write-probe-(\d+)$/,
];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes temp files a killed server left in rootimgdir (pack temp archives, half-unpacked trees).
 * `atStart`: no job of ours runs yet, so every match is stale; otherwise only those of dead PIDs.
 */
export function sweepImageTemps(rootimgdir: string, atStart: boolean): string[] {
  if (!fs.existsSync(rootimgdir)) return [];
  const removed: string[] = [];
  for (const f of fs.readdirSync(rootimgdir)) {
    const m = PATTERNS.map((p) => p.exec(f)).find(Boolean);
    if (!m) continue;
    const pid = m[3] ? Number(m[3]) : m[1] && /^\d+$/.test(m[1]) ? Number(m[1]) : undefined;
    if (!atStart && (pid === undefined || pid === process.pid || alive(pid))) continue;
    fs.rmSync(path.join(rootimgdir, f), { recursive: true, force: true });
    removed.push(f);
  }
  return removed;
}

/**
 * Temp names of the state files: `<file>.tmp-<pid>` (writeJsonAtomic, version manifests, the pack overlay) and
 * `<file>.tmp-<pid>-<random>` (the pristine store, the spare copy of the published archive).
 */
const STATE_TEMP = /\.tmp-(\d+)(?:-[0-9a-z]+)?$/;

/**
 * Removes the half-written state files a killed server left beside the trees and archives of rootimgdir, at any
 * depth of `.rootimg-studio/`: the pristine manifest's and the pack cache's temp files in each tree's state
 * directory, the pristine store's, a kept version's manifest temp in `versions/`, a spare archive's copy in
 * `.spare/`, the reconcile's temp files. The writes directory of saves and uploads is not touched: its journal is
 * start-up's to finish (lib/image/staged-write.ts recoverWrites). Same rule for PIDs as sweepImageTemps.
 */
export function sweepStateTemps(rootimgdir: string, atStart: boolean): string[] {
  const state = path.join(rootimgdir, ".rootimg-studio");
  if (!fs.existsSync(state)) return [];
  const removed: string[] = [];
  const walk = (dir: string) => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const at = path.join(dir, d.name);
      if (d.isDirectory()) {
        if (d.name !== "writes") walk(at);
        continue;
      }
      const m = STATE_TEMP.exec(d.name);
      if (!m) continue;
      const pid = Number(m[1]);
      if (!atStart && (pid === process.pid || alive(pid))) continue;
      fs.rmSync(at, { force: true });
      removed.push(path.relative(rootimgdir, at));
    }
  };
  walk(state);
  return removed;
}

/** The xCAT stamp a pack writes into the tree (lib/archive/xcatinfo-stamp.ts), by temp file and rename. */
const STAMP_TEMP = /^xcatinfo\.tmp-(\d+)$/;
/** Marks a tree walked once for the temp files earlier builds left in it. */
const SWEPT_MARK = "tree-temps-swept";

/**
 * Removes the product's temp files a killed server left INSIDE the tree `<rootimgdir>/rootimg`, where the next
 * pack would publish them: the xcatinfo stamp's temp file (its one known place), and, once per tree (a mark in
 * its state directory), every file named as a save's or upload's temp file (`.<name>.rootimg-<hex>`, the name
 * earlier builds used next to the target; product-temps.ts) anywhere in the tree. Saves and uploads now stage
 * beside the tree and record the rare temp file they create inside it, so later start-ups need no walk.
 * Mounts inside the tree (a chroot's /proc, /dev) are not entered. Paths returned are relative to the tree.
 */
export function sweepTreeTemps(rootimgdir: string, atStart: boolean): string[] {
  let tree: string;
  try {
    tree = fs.realpathSync(path.join(rootimgdir, "rootimg")); // as mountinfo and the writes journal name it
  } catch {
    return [];
  }
  if (!fs.statSync(tree).isDirectory()) return [];
  const removed: string[] = [];
  const stampDir = path.join(tree, "opt/xcat");
  for (const f of fs.existsSync(stampDir) ? fs.readdirSync(stampDir) : []) {
    const m = STAMP_TEMP.exec(f);
    if (!m || (!atStart && (Number(m[1]) === process.pid || alive(Number(m[1]))))) continue;
    fs.rmSync(path.join(stampDir, f), { force: true });
    removed.push(`opt/xcat/${f}`);
  }
  const mark = path.join(stateDirFor(tree), SWEPT_MARK);
  if (!atStart || fs.existsSync(mark)) return removed;
  const mounts = mountsBelow(tree);
  const walk = (dir: string) => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const at = path.join(dir, d.name);
      if (d.isDirectory()) {
        if (!mounts.has(at)) walk(at);
      } else if (d.isFile() && isProductTempName(d.name)) {
        fs.rmSync(at, { force: true });
        removed.push(path.relative(tree, at));
      }
    }
  };
  walk(tree);
  fs.mkdirSync(path.dirname(mark), { recursive: true, mode: 0o700 });
  fs.writeFileSync(mark, `${new Date().toISOString()}\n`);
  return removed;
}
