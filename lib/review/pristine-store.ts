/**
 * The pristine side of every pending change: what a path was in the archive nodes boot now.
 *
 * Metadata (type, mode, owner, size, mtime, link target, sha256) always comes from the tree's pristine manifest.
 * The bytes and the extended attributes (newc cpio carries none; the manifest has none) come from, in order:
 * 1. the copy kept when the path was first changed through the product (save, upload, create over, rename,
 *    delete, attribute change, command or shell apply: `capturePristine` runs before the change, inside the
 *    image gate), verified against the manifest's sha256 before it is kept;
 * 2. the small text files kept, compressed, when the tree was unpacked (`seedPristineAtUnpack`): the pristine
 *    bytes of a file changed outside the product (by hand on the management node) without reading the archive;
 * 3. the published archive itself (archive-read.ts): through the pack cache's member offsets for an archive the
 *    product packed, else a read from its start.
 *
 * Layout, in the tree's state directory (beside the tree, never inside it, cleared with it at each unpack):
 * `pristine/blobs/<sha256>.gz` (content-addressed, gzip), `pristine/paths/<sha256 of the path>.json` (what was
 * captured for one path: its xattrs, and the manifest it was captured against), `pristine/seed.pack` +
 * `pristine/seed.json` (the unpack's copies: concatenated gzip members and sha256 -> [offset, length]).
 * A pack makes the packed tree the pristine state, so it drops the store (`dropPristineStore`).
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { manifestPathFor, readManifest } from "@/lib/archive/manifest";
import { loadPackCache } from "@/lib/archive/pack-cache";
import { stateDirFor } from "@/lib/archive/state-dir";
import type { Manifest, ManifestEntry } from "@/lib/archive/types";
import { AppError } from "@/lib/errors";
import { dumpXattrs } from "@/lib/image/copy-xattrs";
import { detectEncoding } from "@/lib/image/detect-encoding";
import { memberRanges } from "./archive-members";
import { readEntryFromArchive } from "./archive-read";
import { parseXattrDump } from "./xattr-dump";

export type PristineEntry = {
  type: "file" | "dir" | "symlink" | "char" | "block" | "fifo" | "socket";
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  sha256?: string;
  linkTarget?: string;
  rdevMajor?: number;
  rdevMinor?: number;
  /** name -> base64 value; absent when not known (the path was never captured: the archive format carries none) */
  xattrs?: Record<string, string>;
  /** the pristine bytes of a regular file; throws AppError when they can be found nowhere */
  content(): Promise<Buffer>;
  /**
   * What content() costs: a kept copy, a read through the archive's member index, or a read of the archive
   * from its start (a foreign single stream: seconds on a big image). Regular files only.
   */
  readCost?: "kept" | "archive-index" | "archive-scan";
  /** the copies kept at unpack hold every small text file and this small file is not among them: it is binary */
  binaryByUnpack?: boolean;
};

/** Files up to this size are copied into the store when first changed through the product. */
export const CAPTURE_MAX_BYTES = 32 * 1024 * 1024;
/** Below a deleted or moved directory at most this many bytes are copied; the rest is read from the archive if needed. */
export const CAPTURE_BUDGET_BYTES = 64 * 1024 * 1024;
/** Paths of one change that get a record of their own (xattrs); see capturePristine. */
export const RECORDS_PER_CHANGE = 256;
/** Text files up to this size are kept at unpack. */
export const SEED_MAX_BYTES = 256 * 1024;
/**
 * At most this many files and raw bytes are kept at unpack, /etc first (where an admin's changes are): an
 * image of hundreds of thousands of small files would otherwise make the unpack spend minutes on copies.
 */
export const SEED_MAX_FILES = 20_000;
export const SEED_BUDGET_BYTES = 64 * 1024 * 1024;

export function pristineStoreDir(tree: string): string {
  return path.join(stateDirFor(tree), "pristine");
}
const blobPath = (tree: string, sha: string) => path.join(pristineStoreDir(tree), "blobs", `${sha}.gz`);
const pathRecord = (tree: string, rel: string) =>
  path.join(pristineStoreDir(tree), "paths", `${createHash("sha256").update(rel).digest("hex")}.json`);

/** `/etc/motd` -> `etc/motd`, `/` -> `.` (the manifest's spelling). */
export function relOf(imagePath: string): string {
  const rel = path.posix.normalize(`/${imagePath}`).replace(/^\/+/, "").replace(/\/+$/, "");
  return rel === "" ? "." : rel;
}

type PathRecord = { path: string; manifest: string; xattrs: Record<string, string> | null };

// The manifest of a big image is a few MB of JSON: parsed once per version of the file.
const g = globalThis as unknown as {
  rootimgPristineManifests?: Map<string, { stamp: string; manifest: Manifest; byPath: Map<string, ManifestEntry> }>;
};
const manifests = (g.rootimgPristineManifests ??= new Map());

function manifestStamp(tree: string): string | undefined {
  const st = fs.statSync(manifestPathFor(tree), { throwIfNoEntry: false });
  return st ? `${st.ino}:${st.size}:${st.mtimeMs}` : undefined;
}

/** The tree's pristine manifest indexed by path, or null when the tree has none (adopted without one). */
export async function pristineManifest(
  tree: string,
): Promise<{ manifest: Manifest; byPath: Map<string, ManifestEntry>; stamp: string } | null> {
  const stamp = manifestStamp(tree);
  if (!stamp) return null;
  const hit = manifests.get(tree);
  if (hit && hit.stamp === stamp) return { ...hit };
  const manifest = await readManifest(tree);
  if (!manifest) return null;
  const byPath = new Map(manifest.entries.map((e) => [e.path, e]));
  manifests.set(tree, { stamp, manifest, byPath });
  return { manifest, byPath, stamp };
}

function writeAtomic(file: string, data: Buffer | string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function readRecord(tree: string, rel: string, manifestCreatedAt: string): PathRecord | undefined {
  try {
    const r = JSON.parse(fs.readFileSync(pathRecord(tree, rel), "utf8")) as PathRecord;
    return r.path === rel && r.manifest === manifestCreatedAt ? r : undefined;
  } catch {
    return undefined;
  }
}

function readBlob(tree: string, sha: string): Buffer | undefined {
  try {
    return gunzipSync(fs.readFileSync(blobPath(tree, sha)));
  } catch {
    return undefined;
  }
}

const seeds = new Map<string, { stamp: string; index: Record<string, [number, number]> }>();

/** The index of the copies kept at unpack (sha256 -> [offset, length] in seed.pack), or undefined when there are none. */
function seedIndex(tree: string): Record<string, [number, number]> | undefined {
  const file = path.join(pristineStoreDir(tree), "seed.json");
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) return undefined;
  const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
  const hit = seeds.get(tree);
  if (hit?.stamp === stamp) return hit.index;
  try {
    const index = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, [number, number]>;
    seeds.set(tree, { stamp, index });
    return index;
  } catch {
    return undefined;
  }
}

function readSeed(tree: string, sha: string): Buffer | undefined {
  const dir = pristineStoreDir(tree);
  const at = seedIndex(tree)?.[sha];
  if (!at) return undefined;
  const fd = fs.openSync(path.join(dir, "seed.pack"), "r");
  try {
    const buf = Buffer.allocUnsafe(at[1]);
    fs.readSync(fd, buf, 0, at[1], at[0]);
    return gunzipSync(buf);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Every name of the hard-link group `m` belongs to (itself included). */
function linkGroup(entries: ManifestEntry[], m: ManifestEntry): string[] {
  const root = m.linkTo ?? m.path;
  const group = entries.filter((e) => e.path === root || e.linkTo === root).map((e) => e.path);
  return group.length ? group : [m.path];
}

/** The pristine state of one path of a tree, or null when the path did not exist in it (an added file). */
export async function pristineOfTree(tree: string, imagePath: string): Promise<PristineEntry | null> {
  const pm = await pristineManifest(tree);
  if (!pm)
    throw new AppError(
      "not_found",
      `The tree ${tree} has no pristine manifest (it was adopted, not unpacked): there is no pristine state to compare with. Unpack the image to get one.`,
    );
  const rel = relOf(imagePath);
  const m = pm.byPath.get(rel);
  if (!m) return null;
  const rec = readRecord(tree, rel, pm.manifest.createdAt);
  const archive = pm.manifest.archive;
  const seed = m.type === "file" ? seedIndex(tree) : undefined;
  const kept =
    m.type === "file" &&
    (m.size === 0 || (m.sha256 !== undefined && (fs.existsSync(blobPath(tree, m.sha256)) || seed?.[m.sha256] !== undefined)));
  const indexed = () => {
    if (loadPackCache(tree)?.cache.archive === archive) return true;
    try {
      return memberRanges(archive) !== null;
    } catch {
      return false;
    }
  };
  const entry: PristineEntry = {
    type: m.type,
    mode: m.mode,
    uid: m.uid,
    gid: m.gid,
    size: m.size,
    mtime: m.mtime,
    ...(m.sha256 ? { sha256: m.sha256 } : {}),
    ...(m.target !== undefined ? { linkTarget: m.target } : {}),
    ...(m.rdevMajor !== undefined ? { rdevMajor: m.rdevMajor, rdevMinor: m.rdevMinor } : {}),
    ...(rec?.xattrs ? { xattrs: rec.xattrs } : {}),
    ...(m.type === "file" ? { readCost: kept ? "kept" : indexed() ? "archive-index" : "archive-scan" } : {}),
    ...(m.type === "file" && !kept && seed && m.size <= SEED_MAX_BYTES ? { binaryByUnpack: true } : {}),
    async content() {
      if (m.type !== "file")
        throw new AppError("unprocessable", `${imagePath} was a ${m.type} in the pristine image, not a regular file: it has no content.`);
      if (m.size === 0) return Buffer.alloc(0);
      const sha = m.sha256;
      const kept = sha ? (readBlob(tree, sha) ?? readSeed(tree, sha)) : undefined;
      if (kept && sha256(kept) === sha) return kept;
      if (!fs.statSync(archive, { throwIfNoEntry: false })?.isFile()) {
        throw new AppError(
          "not_found",
          `No copy of the pristine ${imagePath} was kept and its state was recorded from ${archive}, not from an archive (an adopted tree): its earlier bytes are not known. Its metadata is.`,
        );
      }
      const got = await readEntryFromArchive({ archive, tree, target: { names: linkGroup(pm.manifest.entries, m), size: m.size } });
      if (!got)
        throw new AppError(
          "not_found",
          `The pristine bytes of ${imagePath} are not in ${archive} any more (it was replaced outside Rootimg Studio). Unpack the image again to compare with what is published now.`,
        );
      if (sha && sha256(got.data) !== sha)
        throw new AppError(
          "conflict",
          `${archive} no longer holds the pristine ${imagePath} (its hash differs from the one recorded at unpack): the archive was changed outside Rootimg Studio. Unpack the image again.`,
        );
      return got.data;
    },
  };
  return entry;
}

/** The pristine state of a path of an unpacked image (see pristineOfTree). */
export async function readPristine(image: string, imagePath: string): Promise<PristineEntry | null> {
  const { getImageTree } = await import("@/lib/files/image-tree");
  return pristineOfTree(await getImageTree(image), imagePath);
}

/** The bytes of a tree file if they are still the pristine ones (same size and sha256), else undefined. */
function readIfPristine(abs: string, m: ManifestEntry): Buffer | undefined {
  try {
    const fd = fs.openSync(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      if (fs.fstatSync(fd).size !== m.size) return undefined;
      const data = fs.readFileSync(fd);
      return sha256(data) === m.sha256 ? data : undefined;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Keeps `data` as a content-addressed blob (once per sha256). */
function keepBlob(tree: string, sha: string, data: Buffer): void {
  const file = blobPath(tree, sha);
  if (fs.existsSync(file)) return;
  // a big file is kept with the fastest level: the change it precedes (a save, an upload) waits for it
  writeAtomic(file, gzipSync(data, { level: data.length > 1 << 20 ? 1 : 6 }));
}

/**
 * Keeps the pristine bytes and xattrs of the given paths (and, for a directory about to be deleted or renamed,
 * of everything below it) before a change through the product touches them. Only the first change of a path
 * counts: later ones find its record. A path whose disk state already differs from the manifest (changed
 * outside the product first) gets no copy: its bytes come from the archive. Never throws: a copy that cannot
 * be kept must not block the user's change (the archive still has the bytes).
 */
export async function capturePristine(tree: string, imagePaths: string[]): Promise<{ captured: number; bytes: number }> {
  let captured = 0;
  let bytes = 0;
  try {
    const pm = await pristineManifest(tree);
    if (!pm) return { captured, bytes };
    const all = [...new Set(imagePaths.map(relOf))];
    // Each record costs a getfattr round trip: a command that touched thousands of paths gets records (with
    // xattrs) for the first ones and blobs only for the rest, which is what their diffs need.
    const rels = new Set(all.slice(0, RECORDS_PER_CHANGE));
    const blobOnly = all.slice(RECORDS_PER_CHANGE);
    // Below a directory about to be deleted or moved: the bytes of its small files (no per-path record: the
    // manifest's sha256 finds a blob). Big ones, and the rest past the budget, stay readable in the archive.
    let slice = Date.now();
    const below = (rel: string) => {
      const prefix = rel === "." ? "" : `${rel}/`;
      return pm.manifest.entries.filter((e) => e.path.startsWith(prefix));
    };
    const blobSources = [
      ...[...rels].filter((r) => pm.byPath.get(r)?.type === "dir").flatMap(below),
      ...blobOnly.flatMap((r) => (pm.byPath.get(r)?.type === "dir" ? below(r) : [pm.byPath.get(r)].filter((e) => e !== undefined))),
    ];
    for (const e of blobSources) {
      if (e.type !== "file" || !e.sha256 || e.size === 0 || e.size > SEED_MAX_BYTES || rels.has(e.path)) continue;
      if (bytes + e.size > CAPTURE_BUDGET_BYTES) break;
      const data = readIfPristine(path.join(tree, e.path), e);
      if (!data) continue;
      keepBlob(tree, e.sha256, data);
      bytes += data.length;
      if (Date.now() - slice > 20) {
        await new Promise((r) => setImmediate(r));
        slice = Date.now();
      }
    }
    for (const rel of rels) {
      const m = pm.byPath.get(rel);
      if (!m || readRecord(tree, rel, pm.manifest.createdAt)) continue;
      const abs = rel === "." ? tree : path.join(tree, rel);
      let st: fs.Stats | undefined;
      try {
        st = fs.lstatSync(abs);
      } catch {
        continue; // already gone: only the archive has it
      }
      const sameType =
        m.type === "file" ? st.isFile() : m.type === "dir" ? st.isDirectory() : m.type === "symlink" ? st.isSymbolicLink() : true;
      if (!sameType) continue;
      let xattrs: Record<string, string> | null = null;
      if (m.type === "file" && st.size === m.size && m.sha256 && m.size <= CAPTURE_MAX_BYTES && bytes + m.size <= CAPTURE_BUDGET_BYTES) {
        const fd = fs.openSync(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
        try {
          const data = fs.readFileSync(fd);
          if (sha256(data) !== m.sha256) continue; // changed outside the product before: not pristine
          keepBlob(tree, m.sha256, data);
          bytes += data.length;
          const dump = await dumpXattrs(fd, rel).catch(() => null);
          xattrs = dump ? parseXattrDump(dump) : {};
        } finally {
          fs.closeSync(fd);
        }
      } else if (m.type === "dir" || m.type === "file") {
        const fd = fs.openSync(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | (m.type === "dir" ? fs.constants.O_DIRECTORY : 0));
        try {
          const dump = await dumpXattrs(fd, rel).catch(() => null);
          xattrs = dump ? parseXattrDump(dump) : {};
        } finally {
          fs.closeSync(fd);
        }
      }
      writeAtomic(pathRecord(tree, rel), JSON.stringify({ path: rel, manifest: pm.manifest.createdAt, xattrs } satisfies PathRecord));
      captured++;
    }
  } catch (e) {
    console.error(`could not keep the pristine copy of ${imagePaths.join(", ")} in ${tree}: ${(e as Error).message}`);
  }
  return { captured, bytes };
}

/**
 * After an unpack: keeps a compressed copy of every small text file of the fresh tree (one pack file, one
 * gzip member per distinct content), so the pristine side of a file changed by hand on the management node
 * needs no read of the archive. Returns what it kept.
 */
export async function seedPristineAtUnpack(
  tree: string,
  opts: { signal?: AbortSignal; maxBytes?: number } = {},
): Promise<{ files: number; distinct: number; rawBytes: number; storedBytes: number }> {
  const max = opts.maxBytes ?? SEED_MAX_BYTES;
  const pm = await pristineManifest(tree);
  const out = { files: 0, distinct: 0, rawBytes: 0, storedBytes: 0 };
  if (!pm) return out;
  const dir = pristineStoreDir(tree);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const packFile = path.join(dir, "seed.pack");
  const tmp = `${packFile}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const fd = fs.openSync(tmp, "w", 0o600);
  const index: Record<string, [number, number]> = {};
  let offset = 0;
  let slice = Date.now();
  try {
    const small = pm.manifest.entries.filter((m) => m.type === "file" && m.sha256 && m.size > 0 && m.size <= max && !m.linkTo);
    const etcFirst = [...small.filter((m) => m.path.startsWith("etc/")), ...small.filter((m) => !m.path.startsWith("etc/"))];
    for (const m of etcFirst) {
      if (!m.sha256 || out.files >= SEED_MAX_FILES || out.rawBytes + m.size > SEED_BUDGET_BYTES) break;
      if (index[m.sha256]) {
        out.files++;
        continue;
      }
      let data: Buffer;
      try {
        data = fs.readFileSync(path.join(tree, m.path));
      } catch {
        continue;
      }
      // run after the job that unpacked the tree, so a file may already be changed: only pristine bytes are kept
      if (data.length !== m.size || detectEncoding(data) === "binary" || sha256(data) !== m.sha256) continue;
      const z = gzipSync(data, { level: 6 });
      fs.writeSync(fd, z, 0, z.length, offset);
      index[m.sha256] = [offset, z.length];
      offset += z.length;
      out.files++;
      out.distinct++;
      out.rawBytes += data.length;
      if (Date.now() - slice > 20) {
        // other requests get a turn; a cancelled unpack stops here
        await new Promise((r) => setImmediate(r));
        if (opts.signal?.aborted) throw new AppError("conflict", "cancelled");
        slice = Date.now();
      }
    }
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, packFile);
  writeAtomic(path.join(dir, "seed.json"), JSON.stringify(index));
  out.storedBytes = offset;
  return out;
}

const g2 = globalThis as unknown as { rootimgSeeds?: Set<Promise<unknown>> };
const seeding = (g2.rootimgSeeds ??= new Set());

/**
 * Starts seedPristineAtUnpack once the job that unpacked (or adopted) the tree has ended, off its critical path:
 * the job's end, progress and cancellation stay exactly the unpack's, and a copy is kept only of bytes still
 * pristine (verified by sha256), whatever changes start meanwhile. Content-addressed copies of a state a later
 * pack or unpack replaced are never wrong, only unused.
 */
export function seedPristineLater(tree: string, log: (line: string) => void): void {
  const p = (async () => {
    await new Promise((r) => setImmediate(r));
    const seed = await seedPristineAtUnpack(tree);
    log(
      `kept ${seed.distinct} small text files of ${tree} (${seed.rawBytes} bytes) as ${seed.storedBytes} compressed bytes for the review's diffs`,
    );
  })().catch((e) => log(`could not keep copies of the small text files of ${tree} for the review: ${(e as Error).message}`));
  seeding.add(p);
  void p.finally(() => seeding.delete(p));
}

/** Resolves when every copy started by seedPristineLater is kept (tests, and an orderly stop). */
export async function seedsSettled(): Promise<void> {
  await Promise.all([...seeding]);
}

/** The pristine state moved (a pack published the tree as it is, a rollback restored another): drop what was kept. */
export function dropPristineStore(tree: string): void {
  fs.rmSync(pristineStoreDir(tree), { recursive: true, force: true });
}

/** Disk used by the store of a tree (bytes, as allocated). */
export function pristineStoreSize(tree: string): number {
  let total = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else total += fs.statSync(p).blocks * 512;
    }
  };
  if (fs.existsSync(pristineStoreDir(tree))) walk(pristineStoreDir(tree));
  return total;
}
