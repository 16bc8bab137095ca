import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, constants, copyFile, existsSync, fsync, openSync, renameSync, statSync, unlinkSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { isAppError } from "@/lib/errors";
import { ArchiveCancelledError, ArchiveError } from "./errors.ts";
import { makeExlistFilter, parseExlist, timezoneIncludes } from "./exlist.ts";
import { makeCompressor, pickCompressorKind } from "./gzip-compressor.ts";
import { fileId, loadPackCache, savePackCache } from "./pack-cache.ts";
import { applyOverlay, type OverlayChange } from "./pack-overlay.ts";
import { takeSpare } from "./pack-spare.ts";
import { planMembers, RecordSource } from "./plan-members.ts";
import { isProductTempName } from "./product-temps.ts";
import type { PackOptions, PackResult } from "./types.ts";
import { walkTree } from "./walk-tree.ts";
import { writeGzipMembers, writeXz } from "./write-members.ts";
import { startXattrScanner, type XattrScanner } from "./xattr-scan.ts";
import { writeXcatinfo } from "./xcatinfo-stamp.ts";

/** Bumped whenever the bytes we write for the same input change, so old caches are not reused. */
const FORMAT_SALT = "rootimg-newc-v1";
const copyFileAsync = promisify(copyFile);
const fsyncAsync = promisify(fsync);

/**
 * Packs `tree` into one newc cpio stream, as xCAT nodes expect (`gzip -cd | cpio -idum`), compressed by the
 * archive's suffix: gzip (multi-member, parallel, incremental) or xz. Writes a temp file beside the archive,
 * fsyncs and renames over it, so a booting node never sees a half-written image (xCAT #1940). Keeping earlier
 * archives is the caller's (archive-versions.ts): the rename leaves a hard link taken before it intact.
 */
export async function packTree(opts: PackOptions): Promise<PackResult> {
  const tree = path.resolve(opts.tree);
  const archive = path.resolve(opts.archive);
  const dir = path.dirname(archive);
  if (!existsSync(dir)) throw new ArchiveError(`directory ${dir} for the archive does not exist`, { code: "not_found" });
  if (!existsSync(tree)) throw new ArchiveError(`tree ${tree} does not exist`, { code: "not_found" });
  if (archive === tree || archive.startsWith(`${tree}/`))
    throw new ArchiveError(`the archive ${archive} must not be inside the tree it packs`);
  const compression = archive.endsWith(".xz") ? "xz" : "gzip";
  // libdeflate-gzip when installed (about twice zlib's speed); levels in DEFAULT_LEVEL, measured on the bench image.
  const kind = compression === "gzip" ? pickCompressorKind(opts.compressor) : undefined;
  const warnings: string[] = [];
  const uuid = opts.stamp ? writeXcatinfo(tree, opts.stamp) : undefined;
  const rules = opts.exlist ? await parseExlist(opts.exlist) : undefined;
  if (rules && opts.timezone) rules.include.push(...timezoneIncludes(tree, opts.timezone));
  const keep = makeExlistFilter(rules);
  const prev = !opts.full && compression === "gzip" ? loadPackCache(tree) : undefined;
  const tmp = path.join(dir, `.${path.basename(archive)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  // Incremental: the temp file starts as a copy of the previous archive, so members that keep their offset are not
  // written again. The spare (pack-spare.ts), made after the last publish, is that copy already; without one the
  // kernel copies the archive now (a clone with reflinks, else copy_file_range, on the libuv pool) while this
  // thread walks the tree.
  const spareTaken = !!prev && takeSpare(prev.cache.archive, prev.cache.archiveId, tmp);
  const fd = spareTaken ? openSync(tmp, "r+") : openSync(tmp, "wx", 0o600);
  const base = prev && (spareTaken ? Promise.resolve() : copyFileAsync(prev.cache.archive, tmp, constants.COPYFILE_FICLONE));
  base?.catch(() => {});
  let closed = false;
  // Made before the walk: its worker processes are forked while this process is still small (gzip-compressor.ts).
  let compressor: ReturnType<typeof makeCompressor> | undefined;
  let scanner: XattrScanner | undefined;
  try {
    scanner = startXattrScanner();
    compressor = kind && makeCompressor(kind, opts.level, Math.max(2, availableParallelism()));
    const level = compressor?.level ?? 6;
    let walked = await walkTree(tree);
    let overlayChanges: OverlayChange[] = [];
    if (opts.overlay) ({ entries: walked, changes: overlayChanges } = applyOverlay(tree, walked, opts.overlay));
    const entries = walked.filter((e) => keep(e.rel));
    refuseProductTemps(entries);
    walked = [];
    const records = new RecordSource(entries, warnings);
    entries.length = 0;
    const members = planMembers(records, `${FORMAT_SALT}:${compressor?.kind ?? "xz"}:${level}:${opts.memberSize ?? ""}`, opts.memberSize);
    // xattrs (caps, ACLs) are lost by newc: find them only in entries that changed since the cached pack. The paths
    // are made batch by batch while the scan runs (a whole tree's absolute paths at once were ~25 MB at 186k entries).
    function* scanPaths(): Generator<string> {
      for (const m of members)
        if (!prev?.byKey.has(m.key)) for (const r of m.records) if (r.type === "file" || r.type === "dir") yield r.abs;
    }
    const xattrScan = scanner.scan(scanPaths());
    xattrScan.catch(() => {});
    const common = { fd, members, signal: opts.signal, onProgress: opts.onProgress, entriesTotal: records.length, warnings };
    let written: Awaited<ReturnType<typeof writeGzipMembers>> = [];
    if (compression === "gzip")
      written = await writeGzipMembers({
        ...common,
        compressor: compressor!,
        reuse: prev && { file: prev.cache.archive, byKey: prev.byKey, base },
      });
    else await writeXz(common);
    await compressor?.close();
    if (opts.signal?.aborted) throw new ArchiveCancelledError("pack");
    // On the libuv pool: flushing a few hundred MB to a real disk takes seconds the server must not stand still.
    await fsyncAsync(fd);
    closeSync(fd);
    closed = true;
    chmodSync(tmp, 0o644);
    const found = await xattrScan;
    const xattrsByKey = new Map<string, [string, string[]][]>();
    for (const m of members) {
      const cached = prev?.byKey.get(m.key)?.xattrs;
      xattrsByKey.set(
        m.key,
        cached ?? (found.size ? m.records.filter((r) => found.has(r.abs)).map((r) => [r.rel, found.get(r.abs)!]) : []),
      );
    }
    const lost = [...xattrsByKey.values()].flat();
    if (lost.length) {
      warnings.push(
        `newc cpio drops extended attributes (file capabilities, ACLs); ${lost.length} entries lose them: ${lost.map(([p, n]) => `${p || "."} (${n.join(", ")})`).join("; ")}`,
      );
    }
    renameSync(tmp, archive);
    const dfd = openSync(dir, "r");
    try {
      await fsyncAsync(dfd);
    } finally {
      closeSync(dfd);
    }
    const size = statSync(archive).size;
    if (compression === "gzip") {
      savePackCache(tree, {
        version: 1,
        archive,
        archiveId: fileId(statSync(archive)),
        members: written
          .filter((w) => w.key !== "trailer")
          .map((w) => ({ key: w.key, offset: w.offset, length: w.length, rawLength: w.rawLength, xattrs: xattrsByKey.get(w.key) ?? [] })),
      });
    }
    return {
      archive,
      size,
      baseFromSpare: spareTaken,
      entries: records.length,
      members: compression === "gzip" ? written.length : 1,
      membersReused: written.filter((w) => w.reused).length,
      cpioBytes: members.reduce((a, m) => a + m.rawLength, 0),
      warnings,
      uuid,
      overlayChanges,
    };
  } catch (e) {
    void compressor?.close();
    scanner?.close();
    if (!closed) closeSync(fd);
    // The copy opens the temp file by name: let it finish so it cannot create it again after the unlink.
    await base?.catch(() => {});
    try {
      unlinkSync(tmp);
    } catch {}
    if (opts.signal?.aborted) throw new ArchiveCancelledError("pack");
    if (isAppError(e)) throw e; // by brand: a copy of the error class from another bundle is still ours
    throw new ArchiveError(`pack of ${tree} failed: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * A save or upload cut by a crash on a tree that is a mount of its own can leave its temp file next to the
 * target (product-temps.ts); start-up removes it. It is a partial copy of some file, never part of the image:
 * publishing it would ship up to gigabytes of garbage to every node.
 */
function refuseProductTemps(entries: { rel: string; type: string }[]): void {
  const temps = entries
    .filter((e) => e.rel.includes(".rootimg-") && e.type === "file" && isProductTempName(path.basename(e.rel)))
    .map((e) => e.rel);
  if (!temps.length) return;
  throw new ArchiveError(
    `the tree holds ${temps.length} temporary file(s) of an interrupted save or upload (${temps.slice(0, 5).join(", ")}${temps.length > 5 ? ", …" : ""}); they are partial copies, not part of the image. Delete them and pack again.`,
    { code: "conflict" },
  );
}
