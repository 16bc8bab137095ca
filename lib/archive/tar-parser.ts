import { type ArchiveEntry, decodeName, type EntrySink, type StreamParser } from "./entry.ts";
import { TarFormatError } from "./errors.ts";
import type { EntryType } from "./types.ts";

const BLOCK = 512;
const TYPES: Record<string, EntryType> = {
  "0": "file",
  "\0": "file",
  "7": "file",
  "1": "file",
  "2": "symlink",
  "3": "char",
  "4": "block",
  "5": "dir",
  "6": "fifo",
};
const MAX_META = 1 << 20;

function num(b: Buffer, off: number, len: number): number {
  if (b[off] & 0x80) {
    // GNU base-256 for values that do not fit in octal.
    let v = b[off] & 0x7f;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + b[i];
    return v;
  }
  const s = b
    .toString("latin1", off, off + len)
    .replace(/[\0 ]+$/g, "")
    .trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarFormatError(`bad octal field ${JSON.stringify(s)}`);
  return Number.parseInt(s, 8);
}

function str(b: Buffer, off: number, len: number): Buffer {
  const end = b.indexOf(0, off);
  return b.subarray(off, end < 0 || end > off + len ? off + len : end);
}

/** Push parser for ustar/GNU/pax tar streams (rootimg.tar.gz / .tar.xz). Same sink contract as CpioParser. */
export class TarParser implements StreamParser {
  entries = 0;
  offset = 0;
  done = false;
  private acc: Buffer[] = [];
  private accLen = 0;
  private left = 0;
  private pad = 0;
  private meta: { kind: string; parts: Buffer[] } | undefined;
  private longName?: string;
  private longLink?: string;
  private pax: Record<string, string> = {};
  private paxXattrs: [string, Buffer][] = [];
  private inBody = false;
  private zeroBlocks = 0;
  private cur?: ArchiveEntry;

  constructor(private readonly sink: EntrySink) {}

  write(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      if (this.done) {
        this.offset += buf.length - i;
        return;
      }
      if (this.inBody && this.left > 0) {
        const n = Math.min(this.left, buf.length - i);
        const slice = buf.subarray(i, i + n);
        if (this.meta) this.meta.parts.push(Buffer.from(slice));
        else this.sink.data(slice);
        this.left -= n;
        i += n;
        this.offset += n;
        if (this.left === 0) this.endBody();
      } else if (this.pad > 0) {
        const n = Math.min(this.pad, buf.length - i);
        this.pad -= n;
        i += n;
        this.offset += n;
      } else {
        const n = Math.min(BLOCK - this.accLen, buf.length - i);
        // A piece kept past this call is copied: the caller may reuse its chunk (inflate-worker's ring).
        this.acc.push(this.accLen + n < BLOCK ? Buffer.from(buf.subarray(i, i + n)) : buf.subarray(i, i + n));
        this.accLen += n;
        i += n;
        this.offset += n;
        if (this.accLen === BLOCK) {
          const block = this.acc.length === 1 ? Buffer.from(this.acc[0]) : Buffer.concat(this.acc);
          this.acc = [];
          this.accLen = 0;
          this.onHeader(block);
        }
      }
    }
  }

  private onHeader(b: Buffer): void {
    const at = this.offset - BLOCK;
    if (b.every((x) => x === 0)) {
      if (++this.zeroBlocks === 2) this.done = true;
      return;
    }
    if (this.zeroBlocks) throw new TarFormatError(`unexpected data after an end-of-archive block at byte offset ${at}`);
    let sum = 0;
    for (let k = 0; k < BLOCK; k++) sum += k >= 148 && k < 156 ? 32 : b[k];
    let stored: number;
    try {
      stored = num(b, 148, 8);
    } catch {
      throw new TarFormatError(`bad header at byte offset ${at}: unreadable checksum`);
    }
    if (stored !== sum) throw new TarFormatError(`header checksum mismatch at byte offset ${at}`);
    const flag = String.fromCharCode(b[156]);
    const size = this.pax.size !== undefined ? Number(this.pax.size) : num(b, 124, 12);
    if (flag === "L" || flag === "K" || flag === "x" || flag === "g") {
      if (size > MAX_META) throw new TarFormatError(`metadata header of ${size} bytes at byte offset ${at} is too large`);
      this.meta = { kind: flag, parts: [] };
      this.startBody(size);
      return;
    }
    const type = TYPES[flag];
    if (!type) throw new TarFormatError(`unsupported tar entry type ${JSON.stringify(flag)} at byte offset ${at}`);
    const where = () => `byte offset ${at}`;
    let name = this.longName ?? this.pax.path;
    if (name === undefined) {
      const base = decodeName(str(b, 0, 100), where);
      const prefix = b.toString("latin1", 257, 262) === "ustar" ? decodeName(str(b, 345, 155), where) : "";
      name = prefix ? `${prefix}/${base}` : base;
    }
    const link = this.longLink ?? this.pax.linkpath ?? decodeName(str(b, 157, 100), where);
    const mode = num(b, 100, 8);
    const e: ArchiveEntry = {
      name: name.replace(/\/+$/, "") || name,
      type,
      mode: mode & 0o7777,
      uid: this.pax.uid !== undefined ? Number(this.pax.uid) : num(b, 108, 8),
      gid: this.pax.gid !== undefined ? Number(this.pax.gid) : num(b, 116, 8),
      nlink: 1,
      mtime: this.pax.mtime !== undefined ? Math.floor(Number(this.pax.mtime)) : num(b, 136, 12),
      size: type === "file" && flag !== "1" ? size : 0,
      ino: 0,
      devMajor: 0,
      devMinor: 0,
      rdevMajor: type === "char" || type === "block" ? num(b, 329, 8) : 0,
      rdevMinor: type === "char" || type === "block" ? num(b, 337, 8) : 0,
      offset: at,
    };
    if (this.paxXattrs.length) e.xattrs = this.paxXattrs;
    this.paxXattrs = [];
    if (flag === "1") {
      e.hardLink = true;
      e.linkName = link;
    } else if (type === "symlink") e.linkName = link;
    this.longName = undefined;
    this.longLink = undefined;
    this.pax = {};
    this.entries++;
    this.cur = e;
    this.sink.entry(e);
    // A hard link or directory may still declare a body in odd writers: skip it rather than misparse.
    this.meta = undefined;
    if (e.size === 0 && size > 0 && type !== "file") this.skipBody(size);
    else this.startBody(e.size);
  }

  private skipBody(size: number): void {
    this.pad = size + ((BLOCK - (size % BLOCK)) % BLOCK);
    this.sink.end();
  }

  private startBody(size: number): void {
    this.inBody = true;
    this.left = size;
    this.pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (size === 0) this.endBody();
  }

  private endBody(): void {
    this.inBody = false;
    const m = this.meta;
    if (!m) {
      this.sink.end();
      return;
    }
    this.meta = undefined;
    const body = Buffer.concat(m.parts);
    if (m.kind === "L") this.longName = decodeName(str(body, 0, body.length), () => `byte offset ${this.offset}`);
    else if (m.kind === "K") this.longLink = decodeName(str(body, 0, body.length), () => `byte offset ${this.offset}`);
    else if (m.kind === "x") {
      const parsed = parsePax(body, this.offset);
      this.pax = parsed.fields;
      this.paxXattrs = parsed.xattrs;
    }
  }

  finish(): void {
    if (this.done || (this.zeroBlocks === 1 && !this.inBody)) return;
    if (this.offset === 0) throw new TarFormatError("the archive is empty (no data after decompression)");
    if (this.inBody && this.cur) {
      throw new TarFormatError(
        `entry "${this.cur.name}" at byte offset ${this.cur.offset} declares ${this.cur.size} bytes but the stream ends at byte offset ${this.offset}`,
      );
    }
    throw new TarFormatError(`missing end-of-archive blocks at byte offset ${this.offset}: the archive is truncated`);
  }
}

function parsePax(body: Buffer, at: number): { fields: Record<string, string>; xattrs: [string, Buffer][] } {
  const out: Record<string, string> = {};
  const xattrs: [string, Buffer][] = [];
  let i = 0;
  while (i < body.length) {
    const sp = body.indexOf(0x20, i);
    const len = Number.parseInt(body.toString("latin1", i, sp), 10);
    if (sp < 0 || !Number.isFinite(len) || len <= 0 || i + len > body.length)
      throw new TarFormatError(`bad pax header near byte offset ${at}`);
    const eq = body.indexOf(0x3d, sp + 1);
    if (eq > 0 && eq < i + len) {
      const key = body.toString("utf8", sp + 1, eq);
      // xattr values are binary (file capabilities): keep their bytes.
      if (key.startsWith("SCHILY.xattr.")) xattrs.push([key.slice(13), Buffer.from(body.subarray(eq + 1, i + len - 1))]);
      else out[key] = body.toString("utf8", eq + 1, i + len - 1);
    }
    i += len;
  }
  if (Object.keys(out).some((k) => k.startsWith("GNU.sparse")))
    throw new TarFormatError(`sparse files (near byte offset ${at}) are not supported`);
  return { fields: out, xattrs };
}
