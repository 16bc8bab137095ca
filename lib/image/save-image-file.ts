import fs from "node:fs";
import { promisify } from "node:util";
import { AppError } from "@/lib/errors";
import { copyXattrs } from "./copy-xattrs";
import { describeEntry, type FileEntry } from "./describe-entry";
import { decodeText, encodeText, type TextEncoding } from "./detect-encoding";
import { fileLockKey, withFileLock } from "./file-lock";
import { readImageUsers } from "./image-users";
import { openInRoot } from "./open-in-root";
import { EDITOR_MAX_BYTES, etagOf, readFd } from "./read-image-file";
import { type ResolvedPath, resolveInRoot } from "./resolve-in-root";
import { restoreLineEndings } from "./restore-line-endings";
import { discardTemp, stageTemp, tempPlaced } from "./staged-write";
import { writeInPlace } from "./write-in-place";

const { O_RDONLY } = fs.constants;

export type SaveImageFileOptions = {
  root: string;
  path: string;
  content: string;
  encoding: TextEncoding;
  /** etag from the read; a different current content is a conflict */
  etag: string;
};

export type SaveResult = { entry: FileEntry; etag: string; inPlace: boolean; bytes: number };

/**
 * Saves editor text into a file of the image. Normal files: a temporary file beside the tree (staged-write.ts:
 * never inside it) gets the content, owner, group, mode and extended attributes, is fsynced and renamed over
 * the original (readers never see half a file). A file with other hard links (nlink > 1) is written in place
 * instead: a rename would give this name a new inode and silently split it from its other names, so the
 * content is staged and journaled first, then rewritten on the same inode (write-in-place.ts), and a crash
 * leaves every name with the old or the new content. Both ways keep the extended attributes (capabilities, ACLs).
 * Asynchronous: the attr tools and fsync run while the event loop serves other requests. Two saves or
 * uploads of one file are serialized by a per-inode lock, and right before the rename (or the in-place
 * write) the original must still be the inode that was read with an unchanged ctime: anything that
 * touched it meanwhile (another request's chmod, rename or delete, a chroot command) makes this a 409.
 */
export async function saveImageFile(opts: SaveImageFileOptions): Promise<SaveResult> {
  if (opts.content.length > EDITOR_MAX_BYTES)
    throw new AppError("unprocessable", `The content is larger than ${EDITOR_MAX_BYTES} bytes; upload the file instead.`);
  const r = resolveInRoot(opts.root, opts.path, { followFinal: true });
  try {
    if (!r.exists) throw new AppError("not_found", `${r.path} no longer exists in the image; it was deleted or renamed meanwhile.`);
    if (!r.stat?.isFile()) throw new AppError("unprocessable", `${r.path} is not a regular file.`);
    return await withFileLock(fileLockKey(r.stat), async () => {
      const fd = openInRoot(r, O_RDONLY);
      try {
        const st = fs.fstatSync(fd);
        const ctimeNs = fs.fstatSync(fd, { bigint: true }).ctimeNs;
        const currentBytes = readFd(fd, st.size);
        const current = etagOf(currentBytes);
        if (current !== opts.etag) {
          throw new AppError("conflict", `${r.path} changed since you opened it; compare and merge, or reload.`, {
            details: { etag: current },
          });
        }
        // the editor normalizes mixed line endings: give unchanged lines their own terminator back
        const bytes = encodeText(restoreLineEndings(decodeOrEmpty(currentBytes, opts.encoding), opts.content), opts.encoding);
        if (bytes.length > EDITOR_MAX_BYTES)
          throw new AppError("unprocessable", `The content is larger than ${EDITOR_MAX_BYTES} bytes; upload the file instead.`);
        const inPlace = st.nlink > 1;
        if (inPlace) await writeStagedInPlace({ r, st, bytes, ctimeNs });
        else await writeByRename({ r, st, ctimeNs, bytes, fromFd: fd });
        const after = fs.lstatSync(r.at);
        const name = r.path.slice(r.path.lastIndexOf("/") + 1);
        return {
          entry: describeEntry({ name, path: r.path, st: after, users: readImageUsers(opts.root) }),
          etag: etagOf(bytes),
          inPlace,
          bytes: bytes.length,
        };
      } finally {
        fs.closeSync(fd);
      }
    });
  } finally {
    r.close();
  }
}

/** The current text, or "" when it does not decode in the encoding the client named (then nothing is restored). */
function decodeOrEmpty(buf: Buffer, enc: TextEncoding): string {
  try {
    return decodeText(buf, enc);
  } catch {
    return "";
  }
}

async function writeStagedInPlace(o: { r: ResolvedPath; st: fs.Stats; bytes: Buffer; ctimeNs: bigint }): Promise<void> {
  const temp = stageTemp(o.r, {
    bytes: o.bytes,
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    mode: 0o600,
    renameOnto: false,
  });
  try {
    await writeInPlace({ r: o.r, st: o.st, temp, size: o.bytes.length, bytes: o.bytes, ctimeNs: o.ctimeNs });
  } finally {
    discardTemp(temp);
  }
}

async function writeByRename(o: { r: ResolvedPath; st: fs.Stats; ctimeNs: bigint; bytes: Buffer; fromFd: number }): Promise<void> {
  const { r, st } = o;
  const tmp = stageTemp(r, { bytes: o.bytes, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, renameOnto: true });
  try {
    // after chown/chmod: chown drops capabilities, so they must come last
    await copyXattrs({ fromFd: o.fromFd, toFd: tmp.fd, what: r.path });
    await fsyncAsync(tmp.fd);
    // no await between this check and the rename: nothing in this process can change the file in between
    assertUnchanged({ r, ino: st.ino, ctimeNs: o.ctimeNs });
    fs.renameSync(tmp.at, r.at);
  } catch (e) {
    discardTemp(tmp);
    throw e;
  }
  fs.closeSync(tmp.fd);
  tempPlaced(tmp);
  await fsyncAsync(r.dirFd); // the rename itself is durable only once the directory is synced
}

export const fsyncAsync = promisify(fs.fsync);

/** The name still refers to the inode that was read, and nothing changed it (content, mode, owner, links: all move ctime). */
export function assertUnchanged(o: { r: ResolvedPath; ino: number; ctimeNs?: bigint }): void {
  const now = fs.lstatSync(o.r.at, { bigint: true, throwIfNoEntry: false });
  if (!now) throw new AppError("conflict", `${o.r.path} was deleted or renamed while saving; nothing was saved. Reload and try again.`);
  if (Number(now.ino) !== o.ino || (o.ctimeNs !== undefined && now.ctimeNs !== o.ctimeNs)) {
    throw new AppError("conflict", `${o.r.path} was changed or replaced while saving; nothing was saved. Reload, compare and try again.`);
  }
}

/** Copies the original's extended attributes to the temp file; the original must still be the inode that was read. */
export async function copyXattrsOf(r: ResolvedPath, st: fs.Stats, toFd: number): Promise<void> {
  const fd = openInRoot(r, O_RDONLY);
  try {
    if (fs.fstatSync(fd).ino !== st.ino) throw new AppError("conflict", `${r.path} was replaced while saving; reload and try again.`);
    await copyXattrs({ fromFd: fd, toFd, what: r.path });
  } finally {
    fs.closeSync(fd);
  }
}
