import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { AppError } from "../errors";
import { copyXattrs } from "./copy-xattrs";
import { decodeText, encodeText, type TextEncoding } from "./detect-encoding";
import { describeEntry, type FileEntry } from "./describe-entry";
import { readImageUsers } from "./image-users";
import { openInRoot } from "./open-in-root";
import { EDITOR_MAX_BYTES, etagOf, readFd } from "./read-image-file";
import { type ResolvedPath, resolveInRoot } from "./resolve-in-root";
import { restoreLineEndings } from "./restore-line-endings";
import { writeInPlace } from "./write-in-place";

const { O_RDONLY, O_RDWR, O_CREAT, O_EXCL } = fs.constants;

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
 * Saves editor text into a file of the image. Synchronous on purpose: the check of the etag and the
 * write happen without yielding to another request of this process, so two saves cannot interleave.
 * Normal files: a temporary file in the same directory gets the content, owner, group and mode, is
 * fsynced and renamed over the original (readers never see half a file). A file with other hard links
 * (nlink > 1) is written in place instead: a rename would give this name a new inode and silently split
 * it from its other names, so the content is truncated and rewritten on the same inode.
 * Both ways keep the extended attributes (capabilities, ACLs): the temp file gets copies before the
 * rename, and an in-place write restores them because the kernel drops `security.capability` on write.
 */
export function saveImageFile(opts: SaveImageFileOptions): SaveResult {
  if (opts.content.length > EDITOR_MAX_BYTES) throw new AppError("unprocessable", `The content is larger than ${EDITOR_MAX_BYTES} bytes; upload the file instead.`);
  const r = resolveInRoot(opts.root, opts.path, { followFinal: true });
  try {
    if (!r.exists) throw new AppError("not_found", `${r.path} no longer exists in the image; it was deleted or renamed meanwhile.`);
    if (!r.stat?.isFile()) throw new AppError("unprocessable", `${r.path} is not a regular file.`);
    const fd = openInRoot(r, O_RDONLY);
    let st: fs.Stats;
    let bytes: Buffer;
    try {
      st = fs.fstatSync(fd);
      const currentBytes = readFd(fd, st.size);
      const current = etagOf(currentBytes);
      if (current !== opts.etag) {
        throw new AppError("conflict", `${r.path} changed since you opened it; compare and merge, or reload.`, { details: { etag: current } });
      }
      // the editor normalizes mixed line endings: give unchanged lines their own terminator back
      bytes = encodeText(restoreLineEndings(decodeOrEmpty(currentBytes, opts.encoding), opts.content), opts.encoding);
    } finally {
      fs.closeSync(fd);
    }
    if (bytes.length > EDITOR_MAX_BYTES) throw new AppError("unprocessable", `The content is larger than ${EDITOR_MAX_BYTES} bytes; upload the file instead.`);
    const inPlace = st.nlink > 1;
    if (inPlace) writeInPlace({ r, st, bytes });
    else writeByRename(r, st, bytes);
    const after = fs.lstatSync(r.at);
    const name = r.path.slice(r.path.lastIndexOf("/") + 1);
    return { entry: describeEntry({ name, path: r.path, st: after, users: readImageUsers(opts.root) }), etag: etagOf(bytes), inPlace, bytes: bytes.length };
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

/** Writes `bytes` to a new temp file beside the resolved entry with the given owner and mode; returns its at-path. */
export function writeTempBeside(r: ResolvedPath, o: { bytes?: Buffer; uid: number; gid: number; mode: number }): { at: string; fd: number } {
  const tmpName = `.${r.name.slice(0, 200)}.rootimg-${randomBytes(6).toString("hex")}`;
  const at = `/proc/self/fd/${r.dirFd}/${tmpName}`;
  const fd = fs.openSync(at, O_RDWR | O_CREAT | O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  try {
    if (o.bytes) fs.writeSync(fd, o.bytes, 0, o.bytes.length, 0);
    // chown before chmod: chown clears setuid/setgid bits, so the mode must come last
    fs.fchownSync(fd, o.uid, o.gid);
    fs.fchmodSync(fd, o.mode);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(at, { force: true });
    throw e;
  }
  return { at, fd };
}

function writeByRename(r: ResolvedPath, st: fs.Stats, bytes: Buffer): void {
  const tmp = writeTempBeside(r, { bytes, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 });
  try {
    try {
      // after chown/chmod: chown drops capabilities, so they must come last
      copyXattrsOf(r, st, tmp.fd);
      fs.fsyncSync(tmp.fd);
    } finally {
      fs.closeSync(tmp.fd);
    }
    fs.renameSync(tmp.at, r.at);
  } catch (e) {
    fs.rmSync(tmp.at, { force: true });
    throw e;
  }
  fs.fsyncSync(r.dirFd); // the rename itself is durable only once the directory is synced
}

/** Copies the original's extended attributes to the temp file; the original must still be the inode that was read. */
export function copyXattrsOf(r: ResolvedPath, st: fs.Stats, toFd: number): void {
  const fd = openInRoot(r, O_RDONLY);
  try {
    if (fs.fstatSync(fd).ino !== st.ino) throw new AppError("conflict", `${r.path} was replaced while saving; reload and try again.`);
    copyXattrs({ fromFd: fd, toFd, what: r.path });
  } finally {
    fs.closeSync(fd);
  }
}
