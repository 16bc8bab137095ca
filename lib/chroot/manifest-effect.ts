import type fs from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import path from "node:path";
import { type EffectEntry, type EntryState, entryState, metadataFields } from "./effect";

/** A whole-tree snapshot, for runs without overlayfs: path → state and device number. */
export type TreeSnapshot = Map<string, { state: EntryState; rdev: number; ctimeMs: number }>;

export async function snapshotTree(tree: string, signal?: AbortSignal): Promise<TreeSnapshot> {
  const out: TreeSnapshot = new Map();
  async function walk(rel: string) {
    signal?.throwIfAborted();
    let names: string[];
    try {
      names = await readdir(path.join(tree, rel));
    } catch {
      return;
    }
    for (const name of names) {
      const r = path.join(rel, name);
      let st: fs.Stats;
      try {
        st = await lstat(path.join(tree, r));
      } catch {
        continue; // vanished while walking
      }
      out.set(`/${r}`, {
        state: entryState(st, st.isSymbolicLink() ? await readlink(path.join(tree, r)) : undefined),
        rdev: st.rdev,
        ctimeMs: st.ctimeMs,
      });
      if (st.isDirectory()) await walk(r);
    }
  }
  await walk("");
  return out;
}

/**
 * The effect of a run made directly in the tree (no overlayfs): the snapshots before and after compared.
 * A file whose size, mtime or inode changed counts as changed in content (its bytes before are gone).
 */
export function diffSnapshots(before: TreeSnapshot, after: TreeSnapshot): EffectEntry[] {
  const out: EffectEntry[] = [];
  for (const [p, b] of before) {
    const a = after.get(p);
    if (!a) {
      // a removed directory is one entry, not one per file under it
      const parent = path.posix.dirname(p);
      if (parent === "/" || after.has(parent) || !before.has(parent)) out.push({ path: p, kind: "removed", before: b.state });
      continue;
    }
    if (a.state.type !== b.state.type) {
      out.push({ path: p, kind: "type", before: b.state, after: a.state });
      continue;
    }
    const meta = metadataFields(b.state, a.state, a.rdev !== b.rdev);
    const content =
      a.state.type === "file" && (a.state.size !== b.state.size || a.state.mtimeMs !== b.state.mtimeMs || a.state.ino !== b.state.ino);
    if (content) out.push({ path: p, kind: "modified", fields: ["content", ...meta], before: b.state, after: a.state });
    else if (meta.length)
      out.push({ path: p, kind: meta.includes("target") ? "modified" : "metadata", fields: meta, before: b.state, after: a.state });
  }
  for (const [p, a] of after) if (!before.has(p)) out.push({ path: p, kind: "added", after: a.state });
  return out.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}
