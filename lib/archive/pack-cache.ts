import { readFileSync, type Stats, statSync } from "node:fs";
import path from "node:path";
import { writeJsonAtomic } from "./manifest.ts";
import { stateDirFor } from "./state-dir.ts";

export interface CachedMember {
  key: string;
  offset: number;
  length: number;
  rawLength: number;
  /** [relative path, xattr names] found in this member's entries when it was built. */
  xattrs: [string, string[]][];
}

export interface PackCache {
  version: 1;
  /** Absolute path of the archive the offsets refer to, and that file's identity when we wrote it. */
  archive: string;
  archiveId: string;
  members: CachedMember[];
}

export function fileId(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
}

function cachePath(tree: string): string {
  return path.join(stateDirFor(tree), "pack-cache.json");
}

/**
 * Loads the member cache of `tree` if the archive it points into still exists unchanged (same inode, size,
 * mtime): compressed members are copied from there instead of being stored twice.
 */
export function loadPackCache(tree: string): { cache: PackCache; byKey: Map<string, CachedMember> } | undefined {
  let cache: PackCache;
  try {
    cache = JSON.parse(readFileSync(cachePath(tree), "utf8")) as PackCache;
  } catch {
    return undefined;
  }
  if (cache.version !== 1) return undefined;
  try {
    if (fileId(statSync(cache.archive)) !== cache.archiveId) return undefined;
  } catch {
    return undefined;
  }
  return { cache, byKey: new Map(cache.members.map((m) => [m.key, m])) };
}

export function savePackCache(tree: string, cache: PackCache): void {
  writeJsonAtomic(cachePath(tree), cache);
}
