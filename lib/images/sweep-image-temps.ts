import fs from "node:fs";
import path from "node:path";

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

/** `writeJsonAtomic`'s and the version manifests' temp names: `<file>.tmp-<pid>`. */
const STATE_TEMP = /\.tmp-(\d+)$/;

/**
 * Removes the half-written state files a killed server left beside the trees and archives of rootimgdir: the
 * pristine manifest's and the pack cache's temp files in each tree's state directory, a kept version's manifest
 * temp in `versions/`, the reconcile's temp files in `.rootimg-studio/` itself. The writes directory of saves and uploads is not touched: its journal is start-up's to
 * finish (lib/image/staged-write.ts recoverWrites). Same rule for PIDs as sweepImageTemps.
 */
export function sweepStateTemps(rootimgdir: string, atStart: boolean): string[] {
  const state = path.join(rootimgdir, ".rootimg-studio");
  if (!fs.existsSync(state)) return [];
  const removed: string[] = [];
  for (const d of [{ name: "", isDirectory: () => true }, ...fs.readdirSync(state, { withFileTypes: true })]) {
    if (!d.isDirectory()) continue;
    const dir = path.join(state, d.name);
    for (const f of fs.readdirSync(dir)) {
      const m = STATE_TEMP.exec(f);
      if (!m) continue;
      const pid = Number(m[1]);
      if (!atStart && (pid === process.pid || alive(pid))) continue;
      fs.rmSync(path.join(dir, f), { force: true });
      removed.push(path.join(".rootimg-studio", d.name, f));
    }
  }
  return removed;
}
