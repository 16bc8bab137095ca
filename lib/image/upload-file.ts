import fs from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AppError } from "@/lib/errors";
import type { FileEntry } from "./describe-entry";
import { fileLockKey, withFileLock } from "./file-lock";
import { statEntry } from "./list-directory";
import { fsError, openInRoot } from "./open-in-root";
import { resolveInRoot } from "./resolve-in-root";
import { copyXattrsOf, fsyncAsync } from "./save-image-file";
import { discardTemp, stageTemp, tempPlaced } from "./staged-write";
import { writeInPlace } from "./write-in-place";

export type UploadFileOptions = {
  root: string;
  /** directory inside the image */
  dir: string;
  /** a single file name, no slashes */
  name: string;
  body: AsyncIterable<Uint8Array> | NodeJS.ReadableStream;
  /** what to do when the name exists: replace it, store under a free name (`motd-1.txt`), or refuse */
  onConflict: "replace" | "rename" | "fail";
  maxBytes?: number;
  /**
   * Keep the setuid/setgid bits of a file this upload replaces (callers who may set them). Otherwise the new
   * content gets the old mode without them: new content must not inherit a privilege granted to the old one.
   */
  keepPrivilegedBits?: boolean;
};

export function validateName(name: string): void {
  if (!name || name === "." || name === ".." || name.includes("/") || name.includes("\0") || Buffer.byteLength(name) > 255) {
    throw new AppError("unprocessable", `"${name.slice(0, 60)}" is not a valid file name (no slashes, not . or .., at most 255 bytes).`);
  }
}

function candidateName(name: string, i: number): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? `${name.slice(0, dot)}-${i}${name.slice(dot)}` : `${name}-${i}`;
}

/**
 * Streams an upload into a temp file beside the tree (staged-write.ts: never inside it), then puts it in
 * place. A new file is owned like its directory with mode 0644; a replaced file keeps its owner, group and mode. "rename" and
 * "fail" place the file with link(2), which never replaces an existing entry, so a file created
 * meanwhile is not overwritten. The temp file is removed on any failure or abort.
 * A replaced file also keeps its extended attributes (capabilities, ACLs), and one with other hard
 * links (nlink > 1) keeps its inode like a save does: the finished upload is journaled, then copied into it
 * in place (write-in-place.ts), so neither an aborted upload nor a crash leaves the file half-written.
 */
export async function uploadFile(opts: UploadFileOptions): Promise<{ entry: FileEntry; replaced: boolean; bytes: number }> {
  validateName(opts.name);
  const dirPath = `${opts.dir.replace(/\/+$/, "")}/${opts.name}`;
  const r = resolveInRoot(opts.root, dirPath, { followFinal: false });
  try {
    if (r.exists && r.stat?.isDirectory()) throw new AppError("conflict", `${r.path} is a directory; choose another name.`);
    if (r.exists && opts.onConflict === "fail") throw new AppError("conflict", `${r.path} already exists; replace it or keep both.`);
    const owner = r.exists && opts.onConflict === "replace" && r.stat?.isFile() ? r.stat : fs.fstatSync(r.dirFd);
    const replacing = owner === r.stat && r.stat !== undefined;
    const mode = replacing ? (r.stat as fs.Stats).mode & (opts.keepPrivilegedBits ? 0o7777 : 0o1777) : 0o644;
    const inPlace = replacing && (r.stat as fs.Stats).nlink > 1;
    const tmp = stageTemp(r, { uid: owner.uid, gid: owner.gid, mode, renameOnto: !inPlace });
    let bytes = 0;
    const max = opts.maxBytes ?? Number.POSITIVE_INFINITY;
    try {
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          if (bytes > max) {
            return cb(
              new AppError("payload_too_large", `The upload is larger than ${max} bytes, the most one file upload takes.`, {
                details: { maxBytes: max },
              }),
            );
          }
          fs.write(tmp.fd, chunk, 0, chunk.length, null, (err) => cb(err));
        },
      });
      await pipeline(opts.body as AsyncIterable<Uint8Array>, sink);
      const finish = async () => {
        // writeInPlace fsyncs the temp file together with its journal entry
        if (inPlace) {
          await writeInPlace({ r, st: r.stat as fs.Stats, temp: tmp, size: bytes });
          // the inode keeps its mode through a write by root: drop the privileged bits explicitly
          if (((r.stat as fs.Stats).mode & 0o6000) !== 0 && !opts.keepPrivilegedBits) {
            const fd = openInRoot(r, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
            try {
              fs.fchmodSync(fd, mode);
            } finally {
              fs.closeSync(fd);
            }
          }
          return;
        }
        if (replacing) await copyXattrsOf(r, r.stat as fs.Stats, tmp.fd); // last: chown drops capabilities
        await fsyncAsync(tmp.fd);
      };
      // a replace is serialized with saves of the same file (the new content is complete on disk by now)
      await (replacing ? withFileLock(fileLockKey(r.stat as fs.Stats), finish) : finish());
      fs.closeSync(tmp.fd);
      tmp.fd = -1;
      const finalName = inPlace ? r.name : place({ tmpAt: tmp.at, dirFd: r.dirFd, name: r.name, onConflict: opts.onConflict });
      tempPlaced(tmp);
      await fsyncAsync(r.dirFd);
      const parent = r.path.slice(0, r.path.lastIndexOf("/")) || "/";
      return { entry: statEntry(opts.root, `${parent}/${finalName}`), replaced: finalName === r.name && r.exists, bytes };
    } catch (e) {
      discardTemp(tmp);
      return fsError(e, r.path, "upload");
    }
  } finally {
    r.close();
  }
}

function place(o: { tmpAt: string; dirFd: number; name: string; onConflict: UploadFileOptions["onConflict"] }): string {
  const at = (n: string) => `/proc/self/fd/${o.dirFd}/${n}`;
  if (o.onConflict === "replace") {
    const st = fs.lstatSync(at(o.name), { throwIfNoEntry: false });
    if (st?.isDirectory()) throw new AppError("conflict", `${o.name} became a directory meanwhile; choose another name.`);
    fs.renameSync(o.tmpAt, at(o.name));
    return o.name;
  }
  for (let i = 0; i < 1000; i++) {
    const n = i === 0 ? o.name : candidateName(o.name, i);
    try {
      fs.linkSync(o.tmpAt, at(n));
      fs.unlinkSync(o.tmpAt);
      return n;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (o.onConflict === "fail") throw new AppError("conflict", `${o.name} already exists; replace it or keep both.`);
    }
  }
  throw new AppError("conflict", `No free name for ${o.name}; rename some of the existing copies.`);
}
