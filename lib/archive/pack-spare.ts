import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  copyFile,
  fsync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
} from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { writeJsonAtomic } from "./manifest.ts";
import { fileId } from "./pack-cache.ts";

const copyFileAsync = promisify(copyFile);
const fsyncAsync = promisify(fsync);

/**
 * The spare: a private, fsynced copy of the last published archive, made after a publish (in the background by the
 * server), which the next incremental pack takes over as its temp file. That pack then writes only its rebuilt
 * members into it, fsyncs those pages and renames it over the live name: still a new inode, complete and durable
 * before it becomes visible (a node that opened the old archive keeps reading the old bytes), but without copying
 * the kept members on the pack's path. On a filesystem with reflinks (XFS, btrfs) the spare is a clone
 * (FICLONE: shares extents, costs no space or time); on ext4 it is an in-kernel copy (copy_file_range), bounded
 * by the disk's write rate, and holds one more archive's worth of space. See docs/archive-repack.md.
 *
 * Lives in `dirname(archive)/.rootimg-studio/.spare/`: never named `rootimg.*` in rootimgdir (packimage unlinks
 * that glob), never inside the versions folder.
 */
export function spareFileFor(archive: string): string {
  const abs = path.resolve(archive);
  return path.join(path.dirname(abs), ".rootimg-studio", ".spare", path.basename(abs));
}

type SpareRecord = { source: string; sourceId: string; spareId: string };

const recordFile = (spare: string) => `${spare}.json`;

export type SpareResult = { file: string; bytes: number; ms: number; cloned: boolean };

/**
 * Copies the archive published at `archive` into its spare, fsyncs it and only then records it (with the identity
 * of the archive it copies), so a spare is either complete and durable or not used. Returns null when the live
 * archive was replaced during the copy (that copy is of no use: the next pack copies for itself).
 */
export async function prepareSpare(archive: string): Promise<SpareResult | null> {
  const t0 = Date.now();
  const source = path.resolve(archive);
  const spare = spareFileFor(source);
  mkdirSync(path.dirname(spare), { recursive: true });
  removeDeadTemps(path.dirname(spare));
  const before = fileId(statSync(source));
  const tmp = `${spare}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    let cloned = true;
    try {
      await copyFileAsync(source, tmp, constants.COPYFILE_FICLONE_FORCE);
    } catch {
      // No reflinks here (ext4, tmpfs, another filesystem): libuv copies in the kernel (copy_file_range).
      cloned = false;
      await copyFileAsync(source, tmp);
    }
    const fd = openSync(tmp, "r+");
    try {
      await fsyncAsync(fd);
    } finally {
      closeSync(fd);
    }
    if (fileId(statSync(source)) !== before) {
      unlinkSync(tmp);
      return null;
    }
    try {
      unlinkSync(recordFile(spare));
    } catch {}
    renameSync(tmp, spare);
    const st = statSync(spare);
    writeJsonAtomic(recordFile(spare), { source, sourceId: before, spareId: fileId(st) } satisfies SpareRecord);
    return { file: spare, bytes: st.size, ms: Date.now() - t0, cloned };
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {}
    throw e;
  }
}

/**
 * Moves the spare of `source` to `dest` (the pack's temp file) if it is a complete copy of that archive as it is
 * now (`sourceId`, the identity the pack cache recorded). Returns false, leaving nothing at `dest`, otherwise.
 */
export function takeSpare(source: string, sourceId: string, dest: string): boolean {
  const spare = spareFileFor(source);
  let rec: SpareRecord;
  try {
    rec = JSON.parse(readFileSync(recordFile(spare), "utf8")) as SpareRecord;
    if (rec.source !== path.resolve(source) || rec.sourceId !== sourceId) return false;
    if (fileId(statSync(source)) !== sourceId || fileId(statSync(spare)) !== rec.spareId) return false;
    // The record goes first: a spare is used once, and a crash between the two leaves an unrecorded file only.
    unlinkSync(recordFile(spare));
    renameSync(spare, dest);
    return true;
  } catch {
    return false;
  }
}

/** Temp copies of a process that died mid-copy (a server restart) are removed; live ones are left alone. */
function removeDeadTemps(dir: string): void {
  for (const name of readdirSync(dir)) {
    const m = /\.tmp-(\d+)-[0-9a-f]+$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = pid === process.pid;
    if (!alive) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch (e) {
        alive = (e as NodeJS.ErrnoException).code === "EPERM";
      }
    }
    if (!alive) {
      try {
        unlinkSync(path.join(dir, name));
      } catch {}
    }
  }
}
