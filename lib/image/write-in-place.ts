import fs from "node:fs";
import { promisify } from "node:util";
import { AppError } from "@/lib/errors";
import { dumpXattrs, restoreXattrs } from "./copy-xattrs";
import { openInRoot } from "./open-in-root";
import type { ResolvedPath } from "./resolve-in-root";

const CHUNK = 1024 * 1024;
const readAsync = promisify(fs.read);
const writeAsync = promisify(fs.write);
const fsyncAsync = promisify(fs.fsync);

/**
 * Rewrites a file on its own inode (truncate + write) so that its other hard links see the new content:
 * a rename would give this name a new inode and silently split it from its other names. The content is
 * `bytes`, or everything readable from `fromFd` (a finished upload's temp file). Extended attributes are
 * dumped first and restored after the write, because the kernel drops `security.capability` on write.
 * With `ctimeNs` (a save) the file must be unchanged since it was read; the check and the truncate happen
 * with no await in between. Editor-sized `bytes` are written in the same synchronous step, so no request
 * of this process reads half of them; an upload's copy is chunked and asynchronous (it may be gigabytes).
 */
export async function writeInPlace(o: { r: ResolvedPath; st: fs.Stats; bytes?: Buffer; fromFd?: number; ctimeNs?: bigint }): Promise<void> {
  const { r } = o;
  const fd = openInRoot(r, fs.constants.O_WRONLY);
  try {
    if (fs.fstatSync(fd).ino !== o.st.ino) throw new AppError("conflict", `${r.path} was replaced meanwhile; reload and try again.`);
    const xattrs = await dumpXattrs(fd, r.path);
    if (o.ctimeNs !== undefined && fs.fstatSync(fd, { bigint: true }).ctimeNs !== o.ctimeNs) {
      throw new AppError("conflict", `${r.path} was changed while saving; nothing was saved. Reload, compare and try again.`);
    }
    fs.ftruncateSync(fd, 0);
    if (o.bytes) fs.writeSync(fd, o.bytes, 0, o.bytes.length, 0);
    if (o.fromFd !== undefined) await copyFd(o.fromFd, fd);
    if (xattrs) await restoreXattrs({ fd, dump: xattrs, what: r.path });
    await fsyncAsync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

async function copyFd(from: number, to: number): Promise<void> {
  const buf = Buffer.allocUnsafe(CHUNK);
  for (let pos = 0; ; ) {
    const { bytesRead } = await readAsync(from, buf, 0, CHUNK, pos);
    if (bytesRead === 0) return;
    for (let off = 0; off < bytesRead; ) {
      const { bytesWritten } = await writeAsync(to, buf, off, bytesRead - off, pos + off);
      off += bytesWritten;
    }
    pos += bytesRead;
  }
}
