import { closeSync, openSync, readlinkSync, readSync } from "node:fs";
import { IFMT_BY_TYPE } from "./entry.ts";
import { ArchiveError } from "./errors.ts";
import type { EntryType } from "./types.ts";

/** Everything needed to write one newc entry; deterministic for an unchanged file. */
export interface CpioRecord {
  rel: string;
  abs: string;
  /** cpio name: "." for the root, else the relative path (GNU cpio strips "./" the same way). */
  name: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  /** Body bytes written (0 for all but the last member of a hard-link group). */
  size: number;
  ino: number;
  rdevMajor: number;
  rdevMinor: number;
}

const HEX = "0123456789ABCDEF";

function putHex(buf: Buffer, off: number, v: number): void {
  let x = v >>> 0;
  for (let i = 7; i >= 0; i--) {
    buf[off + i] = HEX.charCodeAt(x & 15);
    x >>>= 4;
  }
}

export function headerLength(nameBytes: number): number {
  const n = 110 + nameBytes + 1;
  return n + ((4 - (n % 4)) % 4);
}

export function recordLength(r: CpioRecord): number {
  return headerLength(Buffer.byteLength(r.name)) + r.size + ((4 - (r.size % 4)) % 4);
}

/** Writes the newc header + name (+ padding) at `off`; returns the new offset. c_dev is constant (0:0). */
export function writeHeader(
  buf: Buffer,
  off: number,
  r: {
    name: string;
    type: EntryType | "trailer";
    mode: number;
    uid: number;
    gid: number;
    nlink: number;
    mtime: number;
    size: number;
    ino: number;
    rdevMajor: number;
    rdevMinor: number;
  },
): number {
  buf.write("070701", off, "latin1");
  const mode = r.type === "trailer" ? 0 : IFMT_BY_TYPE[r.type] | (r.mode & 0o7777);
  const fields = [r.ino, mode, r.uid, r.gid, r.nlink, r.mtime, r.size, 0, 0, r.rdevMajor, r.rdevMinor];
  for (let i = 0; i < fields.length; i++) putHex(buf, off + 6 + i * 8, fields[i]);
  const nameLen = buf.write(r.name, off + 110, "utf8");
  putHex(buf, off + 94, nameLen + 1);
  putHex(buf, off + 102, 0);
  const end = off + headerLength(nameLen);
  buf.fill(0, off + 110 + nameLen, end);
  return end;
}

/** Appends the body of a record (file content or symlink target) at `off`; returns the new offset and warnings. */
export function writeBody(buf: Buffer, off: number, r: CpioRecord, warnings: string[]): number {
  if (r.size === 0) return off;
  if (r.type === "symlink") {
    const t = Buffer.from(readlinkSync(r.abs));
    if (t.length !== r.size) throw new ArchiveError(`symlink ${r.rel} changed while packing; pack again`);
    t.copy(buf, off);
  } else {
    const fd = openSync(r.abs, "r");
    try {
      let got = 0;
      while (got < r.size) {
        const n = readSync(fd, buf, off + got, r.size - got, null);
        if (n === 0) break;
        got += n;
      }
      if (got < r.size) {
        // Same policy as GNU cpio ("shrunk by N bytes, padding with zeros"): keep the stream consistent.
        buf.fill(0, off + got, off + r.size);
        warnings.push(`${r.rel} shrank by ${r.size - got} bytes while packing; padded with zeros`);
      }
    } finally {
      closeSync(fd);
    }
  }
  const end = off + r.size;
  const pad = (4 - (r.size % 4)) % 4;
  buf.fill(0, end, end + pad);
  return end + pad;
}

/** Builds the raw newc bytes of a run of records. */
export function buildRaw(records: CpioRecord[], rawLength: number, warnings: string[], into?: Buffer): Buffer {
  const buf = into ? into.subarray(0, rawLength) : Buffer.allocUnsafe(rawLength);
  let off = 0;
  for (const r of records) {
    off = writeHeader(buf, off, r);
    off = writeBody(buf, off, r, warnings);
  }
  if (off !== rawLength) throw new ArchiveError(`internal: member length ${off} != planned ${rawLength}`, { code: "internal" });
  return buf;
}

/** TRAILER!!! plus zero padding to a 512-byte multiple of the whole stream, like GNU cpio. */
export function buildTrailer(streamLengthBefore: number): Buffer {
  const len = headerLength(10);
  const total = streamLengthBefore + len;
  const padded = len + ((512 - (total % 512)) % 512);
  const buf = Buffer.alloc(padded);
  writeHeader(buf, 0, {
    name: "TRAILER!!!",
    type: "trailer",
    mode: 0,
    uid: 0,
    gid: 0,
    nlink: 1,
    mtime: 0,
    size: 0,
    ino: 0,
    rdevMajor: 0,
    rdevMinor: 0,
  });
  return buf;
}
