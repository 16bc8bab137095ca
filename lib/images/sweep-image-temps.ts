import fs from "node:fs";
import path from "node:path";

const PATTERNS = [/^\.rootimg\.(cpio|tar)\.(gz|xz)\.tmp-(\d+)-[0-9a-f]+$/, /^\.rootimg\.unpack-/, /^\.rootimg\.rollback-(\d+)$/, /^\.rootimg-write-probe-(\d+)$/];

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
