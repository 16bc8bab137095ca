/**
 * Records the pristine manifest of a tree that is already on disk, in lib/archive's manifest format and place
 * (`stateDirFor(tree)/manifest.json`), so its diff and the changed marks work as after an unpack. Used when an
 * existing tree (genimage's) is adopted as the workspace, and after a pack (the published state becomes the
 * new pristine state). Entries are walked as the pack walks them (lib/archive walkTree: sorted, -xdev).
 *
 * `previous`: a file whose size and mtime match its entry there keeps that entry's hash, the same rule the diff
 * uses to call a file unchanged, so after a pack only the files edited since are read again.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ArchiveCancelledError, type Manifest, type ManifestEntry } from "@/lib/archive";
import { manifestPathFor, writeManifestFile } from "@/lib/archive/manifest";
import { walkTree } from "@/lib/archive/walk-tree";

export type RecordTreeManifestOptions = {
  tree: string;
  /** What the manifest says it was made from (an archive path, or the tree for an adopted one). */
  source: string;
  previous?: Manifest | null;
  signal?: AbortSignal;
  /** bytes hashed so far of the bytes that need hashing */
  onProgress?: (done: number, total: number) => void;
  /** write it as the tree's pristine manifest (default true); false only returns it */
  write?: boolean;
};

export type RecordTreeManifestResult = {
  manifest: Manifest;
  manifestPath: string;
  entries: number;
  filesHashed: number;
  bytesHashed: number;
  filesReused: number;
};

const CHUNK = 1 << 20;
/** Files up to this size are read with sync calls (one open/read/close each); bigger ones asynchronously. */
const SYNC_MAX = 8 << 20;
/** Longest stretch of sync hashing before the event loop gets a turn (progress emits, other requests). */
const SLICE_MS = 20;
// One buffer for every file: files are hashed one after the other (a new 1 MiB buffer per file cost minutes of GC on 100k files).
const scratch = Buffer.allocUnsafe(CHUNK);

function sha256Sync(file: string, onBytes: (n: number) => void): string {
  const h = createHash("sha256");
  const fd = fs.openSync(file, "r");
  try {
    for (;;) {
      const n = fs.readSync(fd, scratch, 0, CHUNK, null);
      if (n === 0) break;
      h.update(scratch.subarray(0, n));
      onBytes(n);
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest("hex");
}

async function sha256Async(file: string, onBytes: (n: number) => void, signal?: AbortSignal): Promise<string> {
  const h = createHash("sha256");
  const fh = await fs.promises.open(file, "r");
  try {
    for (;;) {
      if (signal?.aborted) throw new ArchiveCancelledError("manifest");
      const { bytesRead } = await fh.read(scratch, 0, CHUNK, null);
      if (bytesRead === 0) break;
      h.update(scratch.subarray(0, bytesRead));
      onBytes(bytesRead);
    }
  } finally {
    await fh.close();
  }
  return h.digest("hex");
}

/** Device numbers as the archive core stores them (Linux dev_t: 12-bit major, 20-bit minor). */
function rdevParts(rdev: number): { rdevMajor: number; rdevMinor: number } {
  return { rdevMajor: Math.floor(rdev / 256) & 0xfff, rdevMinor: (rdev & 0xff) | (Math.floor(rdev / 4096) & 0xfff00) };
}

export async function recordTreeManifest(opts: RecordTreeManifestOptions): Promise<RecordTreeManifestResult> {
  const tree = path.resolve(opts.tree);
  const walked = await walkTree(tree);
  const before = new Map((opts.previous?.entries ?? []).map((e) => [e.path, e]));
  const firstOfInode = new Map<string, ManifestEntry>();
  const entries: ManifestEntry[] = [];
  const toHash: ManifestEntry[] = [];
  const absOf = new Map<ManifestEntry, string>();
  let reused = 0;
  for (const w of walked) {
    const st = w.st;
    const m: ManifestEntry = {
      path: w.rel === "" ? "." : w.rel,
      type: w.type,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      size: w.type === "file" ? st.size : 0,
      mtime: st.mtimeMs / 1000,
    };
    if (w.type === "symlink") m.target = fs.readlinkSync(w.abs);
    if (w.type === "char" || w.type === "block") Object.assign(m, rdevParts(st.rdev));
    if (w.type === "file") {
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? firstOfInode.get(key) : undefined;
      if (first) m.linkTo = first.path;
      else if (st.nlink > 1) firstOfInode.set(key, m);
      const old = before.get(m.path);
      if (first)
        absOf.set(m, ""); // takes the first link's hash below
      else if (old?.type === "file" && old.sha256 && old.size === st.size && old.mtime * 1000 === st.mtimeMs) {
        m.sha256 = old.sha256;
        reused++;
      } else {
        toHash.push(m);
        absOf.set(m, w.abs);
      }
    }
    entries.push(m);
  }
  const total = toHash.reduce((a, m) => a + m.size, 0);
  let done = 0;
  opts.onProgress?.(0, total);
  const onBytes = (n: number) => {
    done += n;
    opts.onProgress?.(done, total);
  };
  let slice = Date.now();
  for (const m of toHash) {
    if (opts.signal?.aborted) throw new ArchiveCancelledError("manifest");
    if (m.size > SYNC_MAX) m.sha256 = await sha256Async(absOf.get(m)!, onBytes, opts.signal);
    else m.sha256 = sha256Sync(absOf.get(m)!, onBytes);
    if (Date.now() - slice >= SLICE_MS) {
      await new Promise((r) => setImmediate(r));
      slice = Date.now();
    }
  }
  const byPath = new Map(entries.map((e) => [e.path, e]));
  for (const m of entries) if (m.linkTo) m.sha256 = byPath.get(m.linkTo)?.sha256;
  const manifest: Manifest = {
    version: 1,
    createdAt: new Date().toISOString(),
    archive: opts.source,
    format: { compression: "none", container: "cpio", label: "tree" },
    entries,
  };
  const manifestPath = manifestPathFor(tree);
  if (opts.write !== false) writeManifestFile(manifestPath, manifest);
  return { manifest, manifestPath, entries: entries.length, filesHashed: toHash.length, bytesHashed: done, filesReused: reused };
}
