import fs from "node:fs";
import { AppError } from "../errors";
import { dumpXattrs, restoreXattrs } from "./copy-xattrs";
import { openInRoot } from "./open-in-root";
import type { ResolvedPath } from "./resolve-in-root";

const CHUNK = 1024 * 1024;

/**
 * Rewrites a file on its own inode (truncate + write) so that its other hard links see the new content:
 * a rename would give this name a new inode and silently split it from its other names. The content is
 * `bytes`, or everything readable from `fromFd` (a finished upload's temp file). Extended attributes are
 * dumped first and restored after the write, because the kernel drops `security.capability` on write.
 */
export function writeInPlace(o: { r: ResolvedPath; st: fs.Stats; bytes?: Buffer; fromFd?: number }): void {
  const { r } = o;
  const fd = openInRoot(r, fs.constants.O_WRONLY);
  try {
    if (fs.fstatSync(fd).ino !== o.st.ino) throw new AppError("conflict", `${r.path} was replaced meanwhile; reload and try again.`);
    const xattrs = dumpXattrs(fd, r.path);
    fs.ftruncateSync(fd, 0);
    if (o.bytes) fs.writeSync(fd, o.bytes, 0, o.bytes.length, 0);
    if (o.fromFd !== undefined) copyFd(o.fromFd, fd);
    if (xattrs) restoreXattrs({ fd, dump: xattrs, what: r.path });
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function copyFd(from: number, to: number): void {
  const buf = Buffer.allocUnsafe(CHUNK);
  for (let pos = 0; ; ) {
    const n = fs.readSync(from, buf, 0, CHUNK, pos);
    if (n === 0) return;
    fs.writeSync(to, buf, 0, n, pos);
    pos += n;
  }
}
