import fs from "node:fs";
import { diffTree, manifestPathFor } from "@/lib/archive";
import { imagePathOf, recordedEdits } from "./recorded-edits";

type Cached = { at: number; manifest: string; paths: string[]; available: boolean };
const g = globalThis as unknown as { rootimgDiffCache?: Map<string, Cached> };
const cache = (g.rootimgDiffCache ??= new Map<string, Cached>());
const TTL_MS = 30_000;

/** Forget the cached diff of an image after a change (the next request recomputes it). */
export function noteChangedPaths(image: string, _paths: string[]): void {
  cache.delete(image);
}

/**
 * Paths changed since the pristine state (the unpack, or the last pack): the archive core's diff against the
 * pristine manifest (cached for 30 s: it hashes modified files; every recorded change drops the cache). Where
 * no manifest exists to compare with, the paths of the edits recorded since then.
 */
export async function changedPaths(image: string, tree: string): Promise<{ available: boolean; paths: string[] }> {
  // A pack, a rollback or an adoption writes a new pristine manifest: the cached diff is then void at once.
  const manifest = manifestStamp(tree);
  let hit = cache.get(image);
  if (!hit || hit.manifest !== manifest || Date.now() - hit.at > TTL_MS) {
    try {
      const diff = await diffTree({ tree });
      hit = { at: Date.now(), manifest, available: true, paths: diff.changes.map((c) => imagePathOf(c.path)) };
    } catch {
      hit = { at: Date.now(), manifest, available: false, paths: [] };
    }
    cache.set(image, hit);
  }
  const paths: string[] = hit.available ? hit.paths : [...(await recordedEdits(image)).keys()];
  return { available: hit.available, paths: [...new Set(paths)].sort() };
}

function manifestStamp(tree: string): string {
  const st = fs.statSync(manifestPathFor(tree), { throwIfNoEntry: false });
  return st ? `${st.ino}:${st.size}:${st.mtimeMs}` : "none";
}
