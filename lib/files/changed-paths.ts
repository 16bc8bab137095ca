import { diffTree } from "@/lib/archive";
import { prisma } from "@/lib/db/client";

const g = globalThis as unknown as { rootimgDiffCache?: Map<string, { at: number; paths: string[]; available: boolean }> };
const cache = (g.rootimgDiffCache ??= new Map());
const TTL_MS = 30_000;

function normalize(p: string): string {
  const s = p.replace(/^\.\//, "").replace(/^\/+/, "");
  return `/${s}`.replace(/\/+$/, "") || "/";
}

/** Forget the cached diff of an image after a change (the next request recomputes it). */
export function noteChangedPaths(image: string, _paths: string[]): void {
  cache.delete(image);
}

/**
 * Paths changed since the image was unpacked: the archive core's diff against the pristine manifest
 * (cached for 30 s: it hashes modified files) plus every path the editor changed since the unpack (from
 * PendingChange rows, so the marks survive while the diff is unavailable, e.g. no manifest yet).
 */
export async function changedPaths(image: string, tree: string): Promise<{ available: boolean; paths: string[] }> {
  let hit = cache.get(image);
  if (!hit || Date.now() - hit.at > TTL_MS) {
    try {
      const diff = await diffTree({ tree });
      hit = { at: Date.now(), available: true, paths: diff.changes.map((c) => normalize(c.path)) };
    } catch {
      hit = { at: Date.now(), available: false, paths: [] };
    }
    cache.set(image, hit);
  }
  const ws = await prisma.workspace.findUnique({ where: { image } });
  const rows = await prisma.pendingChange.findMany({
    where: { image, ...(ws?.unpackedAt ? { at: { gte: ws.unpackedAt } } : {}) },
    select: { path: true, detail: true },
  });
  const paths = new Set<string>(hit.paths);
  for (const r of rows) {
    paths.add(r.path);
    try {
      for (const p of (JSON.parse(r.detail ?? "{}").paths ?? []) as string[]) paths.add(p);
    } catch {
      // detail written by another module in another shape: the subject path is enough
    }
  }
  return { available: hit.available, paths: [...paths].map(String).sort() };
}
