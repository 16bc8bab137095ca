import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readlinkSync, readSync } from "node:fs";
import path from "node:path";
import { ArchiveError, throwIfAborted } from "./errors.ts";
import { manifestPathFor, readManifest } from "./manifest.ts";
import type { DiffOptions, DiffResult, ManifestEntry, TreeChange } from "./types.ts";
import { walkTree } from "./walk-tree.ts";

const LETTER = { added: "A", removed: "D", modified: "M", metadata: "m", type: "T" } as const;
const scratch = Buffer.allocUnsafe(1 << 20);

function sha256File(file: string): string {
  const h = createHash("sha256");
  const fd = openSync(file, "r");
  try {
    for (;;) {
      const n = readSync(fd, scratch, 0, scratch.length, null);
      if (n === 0) break;
      h.update(scratch.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest("hex");
}

function change(kind: TreeChange["kind"], p: string, fields?: string[]): TreeChange {
  return fields ? { kind, letter: LETTER[kind], path: p, fields } : { kind, letter: LETTER[kind], path: p };
}

/**
 * Compares a tree with the pristine manifest recorded at unpack: added, removed, content-modified, metadata-only
 * (mode, owner, link target, device numbers) and type changes. stat first; a file is hashed only when its size or
 * mtime moved, so an unchanged 17,000-entry tree costs one lstat per entry.
 */
export async function diffTree(opts: DiffOptions): Promise<DiffResult> {
  const tree = path.resolve(opts.tree);
  if (!existsSync(tree)) throw new ArchiveError(`tree ${tree} does not exist`, { code: "not_found" });
  // The walk runs on worker threads (walk-tree.ts): read and index the manifest meanwhile.
  const walking = walkTree(tree);
  walking.catch(() => {});
  const manifest = await readManifest(tree);
  if (!manifest)
    throw new ArchiveError(
      `no pristine manifest for ${tree} (expected ${manifestPathFor(tree)}); only trees unpacked by Rootimg Studio can be diffed`,
      { code: "not_found" },
    );
  const byPath = new Map<string, ManifestEntry>(manifest.entries.map((e) => [e.path, e]));
  manifest.entries.length = 0;
  const changes: TreeChange[] = [];
  let hashed = 0;
  const entries = await walking;
  for (const e of entries) {
    if (hashed % 64 === 0) throwIfAborted(opts.signal, "diff");
    const p = e.rel === "" ? "." : e.rel;
    const m = byPath.get(p);
    if (!m) {
      changes.push(change("added", p));
      continue;
    }
    byPath.delete(p); // what is left at the end was removed
    if (m.type !== e.type) {
      changes.push(change("type", p));
      continue;
    }
    const st = e.st;
    let fields: string[] | undefined;
    const moved = (f: string) => (fields ??= []).push(f);
    if ((st.mode & 0o7777) !== m.mode) moved("mode");
    if (st.uid !== m.uid) moved("uid");
    if (st.gid !== m.gid) moved("gid");
    if (e.type === "symlink" && readlinkSync(e.abs) !== m.target) moved("target");
    if (
      (e.type === "char" || e.type === "block") &&
      st.rdev !== (m.rdevMajor! << 8) + (m.rdevMinor! & 0xff) + ((m.rdevMinor! & ~0xff) << 12)
    )
      moved("rdev");
    if (e.type === "file" && (st.size !== m.size || st.mtimeMs !== m.mtime * 1000)) {
      hashed++;
      if (st.size !== m.size || sha256File(e.abs) !== m.sha256) {
        changes.push(change("modified", p, fields));
        continue;
      }
    }
    if (fields) changes.push(change("metadata", p, fields));
  }
  for (const m of byPath.values()) changes.push(change("removed", m.path));
  changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { changes, entriesScanned: entries.length, filesHashed: hashed };
}
