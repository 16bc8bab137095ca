/** One side of a change as the tree holds it now: metadata, and for small text files the bytes. */
import { createHash } from "node:crypto";
import fs from "node:fs";
import { entryType } from "@/lib/image/describe-entry";
import { detectEncoding } from "@/lib/image/detect-encoding";
import { openInRoot } from "@/lib/image/open-in-root";
import { readFd } from "@/lib/image/read-image-file";
import { resolveInRoot } from "@/lib/image/resolve-in-root";
import { sha256Of } from "./snapshot-blobs";

/** Text files up to this size are kept with a request for its diff; larger or binary ones by hash and size only. */
export const TEXT_SNAPSHOT_MAX = 1024 * 1024;

export type SideMeta = {
  type: "file" | "dir" | "symlink" | "char" | "block" | "fifo" | "socket";
  mode: number;
  uid: number;
  gid: number;
  size: number;
  sha256?: string;
  linkTarget?: string;
  /** names of uid and gid in the image's own passwd and group when captured (absent: no such entry) */
  owner?: string;
  group?: string;
};

export type Side = { meta: SideMeta; text?: Buffer };

/** True when two sides are the same entry for a review: type, permissions, owner, content, link target. */
export function sameSide(a: SideMeta | null, b: SideMeta | null): boolean {
  if (!a || !b) return a === b;
  return (
    a.type === b.type &&
    a.mode === b.mode &&
    a.uid === b.uid &&
    a.gid === b.gid &&
    (a.sha256 ?? null) === (b.sha256 ?? null) &&
    (a.linkTarget ?? null) === (b.linkTarget ?? null)
  );
}

export function isText(buf: Buffer): boolean {
  return buf.length <= TEXT_SNAPSHOT_MAX && detectEncoding(buf) !== "binary";
}

/** The entry at `imagePath` of the tree (never following a final symlink), or null when it does not exist. */
export function readTreeSide(tree: string, imagePath: string): Side | null {
  const r = resolveInRoot(tree, imagePath, { followFinal: false });
  try {
    if (!r.exists || !r.stat) return null;
    const st = r.stat;
    const type = entryType(st);
    const meta: SideMeta = { type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: type === "file" ? st.size : 0 };
    if (type === "symlink") meta.linkTarget = fs.readlinkSync(r.at);
    if (type !== "file") return { meta };
    const fd = openInRoot(r, fs.constants.O_RDONLY);
    try {
      // Hash every regular file (the fingerprint that tells "changed since submitted"); keep the bytes of small text.
      const size = fs.fstatSync(fd).size;
      if (size > TEXT_SNAPSHOT_MAX) {
        meta.sha256 = hashFd(fd);
        return { meta };
      }
      const buf = readFd(fd, size);
      meta.sha256 = sha256Of(buf);
      return { meta, ...(isText(buf) ? { text: buf } : {}) };
    } finally {
      fs.closeSync(fd);
    }
  } finally {
    r.close();
  }
}

/** sha256 of a large file in 1 MiB reads: never the whole file in memory. */
function hashFd(fd: number): string {
  const h = createHash("sha256");
  const buf = Buffer.allocUnsafe(1024 * 1024);
  for (let pos = 0; ; ) {
    const n = fs.readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    h.update(buf.subarray(0, n));
    pos += n;
  }
  return h.digest("hex");
}
