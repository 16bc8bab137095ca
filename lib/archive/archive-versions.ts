import { existsSync, linkSync, mkdirSync, readdirSync, unlinkSync } from "node:fs";
import { unlink } from "node:fs/promises";
import path from "node:path";
import { versionsDirFor } from "./state-dir.ts";

/**
 * Keeps the current archive as `<versions>/<basename>.<N>` (a hard link, so the archive path itself never
 * disappears) and prunes the oldest beyond `keep`. Returns the version path, or undefined if there was none.
 */
export function keepPreviousVersion(archive: string, keep: number): string | undefined {
  if (!existsSync(archive)) return undefined;
  const dir = versionsDirFor(archive);
  mkdirSync(dir, { recursive: true });
  const base = path.basename(archive);
  const nums = listVersions(dir, base);
  const n = (nums.at(-1) ?? 0) + 1;
  const target = path.join(dir, `${base}.${n}`);
  linkSync(archive, target);
  const all = [...nums, n];
  for (const old of all.slice(0, Math.max(0, all.length - Math.max(1, keep)))) unlinkSync(path.join(dir, `${base}.${old}`));
  return target;
}

function listVersions(dir: string, base: string): number[] {
  const re = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(\\d+)$`);
  return readdirSync(dir)
    .map((f) => re.exec(f)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * Removes, on the libuv pool, the versions that keeping one more would push beyond `keep`. Freeing a few hundred
 * MB is not free (30 ms on tmpfs, more on a disk), so packTree starts it while it walks the tree instead of
 * paying it after the publish. A pack that then fails has one old version fewer than `keep`: never the current
 * archive, never a version retention would have kept.
 */
export async function pruneVersionsBeforeKeeping(archive: string, keep: number): Promise<void> {
  const dir = versionsDirFor(archive);
  if (!existsSync(archive) || !existsSync(dir)) return;
  const base = path.basename(archive);
  const nums = listVersions(dir, base);
  const expired = nums.slice(0, Math.max(0, nums.length + 1 - Math.max(1, keep)));
  await Promise.all(expired.map((n) => unlink(path.join(dir, `${base}.${n}`)).catch(() => {})));
}
