import { createHash } from "node:crypto";
import { type CpioRecord, recordLength } from "./cpio-writer.ts";
import { FileTooLargeError } from "./errors.ts";
import type { TreeEntry } from "./walk-tree.ts";

/** Average uncompressed bytes per gzip member: big enough for ~0.01 % overhead, small enough to parallelise. */
export const TARGET_MEMBER = 8 << 20;
const FOUR_GIB = 2 ** 32;

export interface Member {
  /** Built from the walked entries when asked for (each call builds them again): not held for the whole tree. */
  readonly records: CpioRecord[];
  /** Number of entries in the member. */
  readonly count: number;
  /** Uncompressed newc bytes of the member. */
  rawLength: number;
  /** Identity of the member's inputs: equal key => equal bytes (see memberKey). */
  key: string;
}

/**
 * FNV-1a: cheap, stable 32-bit hash of a path (inode numbers and cut points must not depend on the machine).
 * `seed`: the state after a prefix, so hash32(b, hash32(a)) === hash32(a + b) without building a + b.
 */
export function hash32(s: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const NO_RDEV: readonly [number, number] = [0, 0];

function splitRdev(rdev: number): [number, number] {
  const major = (Math.floor(rdev / 256) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
  const minor = (rdev & 0xff) | (Math.floor(rdev / 4096) & 0xfff00);
  return [major, minor];
}

/**
 * The newc records of selected tree entries, built one at a time on demand: a whole image's records held at once
 * (one object per entry, on top of the walk's) was the largest part of the pack's memory. Hard links: every path
 * of a group is written, all with size 0 except the LAST one, which carries the data (GNU cpio's newc convention;
 * cpio, bsdtar, busybox and the kernel all link them back). c_ino is a hash of the path (of the group's first path
 * for hard links), so unchanged entries keep identical bytes between packs; readers only use it to pair entries
 * with nlink > 1.
 */
export class RecordSource {
  /** Entry index -> c_ino shared by its hard-link group; `empty`: indexes written with size 0. */
  private linkIno = new Map<number, number>();
  private empty = new Set<number>();
  readonly entries: TreeEntry[];

  constructor(entries: TreeEntry[], warnings: string[]) {
    this.entries = [];
    const groups = new Map<string, number[]>();
    for (const e of entries) {
      if (e.type === "socket") {
        warnings.push(`socket ${e.rel} skipped (sockets cannot be archived)`);
        continue;
      }
      if (e.type === "file" && e.st.size >= FOUR_GIB) throw new FileTooLargeError(e.rel, e.st.size);
      if (e.type === "file" && e.st.nlink > 1) {
        const k = `${e.st.dev}:${e.st.ino}`;
        const g = groups.get(k);
        if (g) g.push(this.entries.length);
        else groups.set(k, [this.entries.length]);
      }
      this.entries.push(e);
    }
    const used = new Set<number>();
    for (const g of groups.values()) {
      let ino = hash32(this.entries[g[0]].rel) || 1;
      while (used.has(ino)) ino = (ino + 1) >>> 0 || 1;
      used.add(ino);
      for (let i = 0; i < g.length; i++) {
        this.linkIno.set(g[i], ino);
        if (i < g.length - 1) this.empty.add(g[i]);
      }
    }
  }

  get length(): number {
    return this.entries.length;
  }

  record(i: number): CpioRecord {
    const e = this.entries[i];
    const st = e.st;
    const [rdevMajor, rdevMinor] = e.type === "char" || e.type === "block" ? splitRdev(st.rdev) : NO_RDEV;
    return {
      rel: e.rel,
      abs: e.abs,
      name: e.rel === "" ? "." : e.rel,
      type: e.type,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      nlink: st.nlink,
      mtime: Math.max(0, Math.min(FOUR_GIB - 1, Math.floor(st.mtimeMs / 1000))),
      size: this.empty.has(i) ? 0 : e.type === "file" || e.type === "symlink" ? st.size : 0,
      ino: this.linkIno.get(i) ?? (hash32(e.rel) || 1),
      rdevMajor,
      rdevMinor,
    };
  }

  records(from: number, to: number): CpioRecord[] {
    const out: CpioRecord[] = [];
    for (let i = from; i < to; i++) out.push(this.record(i));
    return out;
  }
}

/** A member as a range of the record source: its records are rebuilt when it is written. */
class PlannedMember implements Member {
  constructor(
    private readonly src: RecordSource,
    private readonly from: number,
    private readonly to: number,
    readonly rawLength: number,
    readonly key: string,
  ) {}
  get records(): CpioRecord[] {
    return this.src.records(this.from, this.to);
  }
  get count(): number {
    return this.to - this.from;
  }
}

/** All records at once (small trees and tests; the pack plans from a RecordSource). */
export function toRecords(entries: TreeEntry[], warnings: string[]): CpioRecord[] {
  const src = new RecordSource(entries, warnings);
  return src.records(0, src.length);
}

const idBuf = new Float64Array(16);
const idBytes = new Uint8Array(idBuf.buffer);

/**
 * Bytes fed to a member's hash, batched: one sha256 update per member instead of two per entry (the per-call cost
 * dominated: ~85 ms over 15k entries). The digest is the same as updating entry by entry.
 */
class KeyInput {
  private buf = Buffer.allocUnsafe(1 << 20);
  private len = 0;
  constructor(private salt: string) {
    this.reset();
  }
  reset(): void {
    this.len = 0;
    this.put(this.salt);
  }
  put(s: string): void {
    const max = s.length * 3;
    if (this.len + max + 128 > this.buf.length) this.grow(this.len + max + 128);
    this.len += this.buf.write(s, this.len, "utf8");
  }
  putBytes(b: Uint8Array): void {
    if (this.len + b.length > this.buf.length) this.grow(this.len + b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  private grow(min: number): void {
    const next = Buffer.allocUnsafe(Math.max(min, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  digest(): string {
    const d = createHash("sha256").update(this.buf.subarray(0, this.len)).digest("hex");
    this.reset();
    return d;
  }
}

/**
 * Stat identity of a record's source, fed to the member hash as raw numbers (no float-to-string conversions):
 * any content or metadata change moves mtime or ctime (or ino/size).
 */
function updateIdentity(h: KeyInput, r: CpioRecord, e: TreeEntry): void {
  const st = e.st;
  idBuf[0] = r.mode;
  idBuf[1] = r.uid;
  idBuf[2] = r.gid;
  idBuf[3] = r.nlink;
  idBuf[4] = r.mtime;
  idBuf[5] = r.size;
  idBuf[6] = r.ino;
  idBuf[7] = r.rdevMajor;
  idBuf[8] = r.rdevMinor;
  idBuf[9] = st.dev;
  idBuf[10] = st.ino;
  idBuf[11] = st.mtimeMs;
  idBuf[12] = st.ctimeMs;
  idBuf[13] = st.size;
  idBuf[14] = r.name.length;
  idBuf[15] = r.type.length + (r.type === "char" ? 100 : r.type === "block" ? 200 : r.type === "fifo" ? 300 : 0);
  h.put(r.name);
  h.putBytes(idBytes);
}

/**
 * Cuts records into members on entry boundaries. A cut after an entry is decided from that entry alone
 * (a hash of its path against its share of the target size), so an edit moves at most the cuts next to it and
 * all other members keep identical bytes; a hard maximum bounds member size.
 */
/** The hash state after "cut:": a cut is decided by hash32(`cut:${name}`). */
const CUT_SEED = hash32("cut:");

export function planMembers(src: RecordSource, salt: string, target = TARGET_MEMBER): Member[] {
  const max = 2 * target;
  const members: Member[] = [];
  let from = 0;
  let len = 0;
  const h = new KeyInput(salt);
  for (let i = 0; i < src.length; i++) {
    const r = src.record(i);
    const rl = recordLength(r);
    len += rl;
    updateIdentity(h, r, src.entries[i]);
    const u = hash32(r.name, CUT_SEED) / 2 ** 32;
    if (u < rl / target || len >= max) {
      members.push(new PlannedMember(src, from, i + 1, len, h.digest()));
      from = i + 1;
      len = 0;
    }
  }
  if (from < src.length) members.push(new PlannedMember(src, from, src.length, len, h.digest()));
  return members;
}
