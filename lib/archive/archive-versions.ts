import { existsSync, linkSync, mkdirSync, readdirSync, unlinkSync } from "node:fs";
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
