/**
 * Two kept versions of an image compared by reading their archives as streams, never unpacked to disk.
 * For two archives the product packed, the gzip members (archive-members.ts) whose compressed bytes are the
 * same in both (compared in place, or by sha256 where a member moved) hold the same entries and are skipped: an incremental pack keeps every member an
 * edit did not touch, so a one-file change between two versions reads one member of each. Other archives
 * are read whole. Kept version files are hard links that are never written in place (a publish renames over
 * the live name), so they are read without holding the image.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createGunzip } from "node:zlib";
import { CpioParser } from "@/lib/archive/cpio-parser";
import type { ArchiveEntry, EntrySink, StreamParser } from "@/lib/archive/entry";
import { openArchive } from "@/lib/archive/open-archive";
import { normalizeEntryName } from "@/lib/archive/safe-path";
import { TarParser } from "@/lib/archive/tar-parser";
import type { EntryType } from "@/lib/archive/types";
import { AppError } from "@/lib/errors";
import { type MemberRange, memberRanges } from "./archive-members";
import { readEntryFromArchive } from "./archive-read";

export type ComparedMeta = {
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  sha256?: string;
  linkTarget?: string;
  rdev?: string;
};
export type ComparedChange = {
  path: string;
  kind: "added" | "removed" | "content" | "metadata" | "type";
  fields: string[];
  before: ComparedMeta | null;
  after: ComparedMeta | null;
};
export type CompareResult = { changes: ComparedChange[]; members: { from: number; to: number; skipped: number }; bytesInflated: number };

function hashRange(fd: number, r: MemberRange, scratch: Buffer): string {
  const h = createHash("sha256");
  for (let off = 0; off < r.length; ) {
    const n = fs.readSync(fd, scratch, 0, Math.min(scratch.length, r.length - off), r.offset + off);
    if (n === 0) break;
    h.update(scratch.subarray(0, n));
    off += n;
  }
  return h.digest("hex");
}

function rangeHashes(archive: string, ranges: MemberRange[]): string[] {
  const fd = fs.openSync(archive, "r");
  const scratch = Buffer.allocUnsafe(4 << 20);
  try {
    return ranges.map((r) => hashRange(fd, r, scratch));
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether two ranges of the same length hold the same bytes (memcmp: far cheaper than hashing both). */
function sameBytes(fa: number, fb: number, a: MemberRange, b: MemberRange, ba: Buffer, bb: Buffer): boolean {
  for (let off = 0; off < a.length; ) {
    const want = Math.min(ba.length, a.length - off);
    const na = fs.readSync(fa, ba, 0, want, a.offset + off);
    const nb = fs.readSync(fb, bb, 0, want, b.offset + off);
    if (na !== want || nb !== want || !ba.subarray(0, na).equals(bb.subarray(0, nb))) return false;
    off += na;
  }
  return true;
}

/**
 * The member ranges of each archive that the other one does not hold. An incremental pack keeps every member it
 * did not rebuild at its offset, so ranges at the same offset and length are compared byte for byte; the rest
 * (members shifted by a rebuilt one that did not fit in place) are matched by sha256.
 */
function unsharedRanges(
  from: string,
  to: string,
  ra: MemberRange[],
  rb: MemberRange[],
): { a: MemberRange[]; b: MemberRange[]; skipped: number } {
  const fa = fs.openSync(from, "r");
  const fb = fs.openSync(to, "r");
  const ba = Buffer.allocUnsafe(4 << 20);
  const bb = Buffer.allocUnsafe(4 << 20);
  const atB = new Map(rb.map((r, i) => [`${r.offset}:${r.length}`, i]));
  const sharedA = new Set<number>();
  const sharedB = new Set<number>();
  try {
    ra.forEach((r, i) => {
      const j = atB.get(`${r.offset}:${r.length}`);
      if (j !== undefined && sameBytes(fa, fb, r, rb[j], ba, bb)) {
        sharedA.add(i);
        sharedB.add(j);
      }
    });
  } finally {
    fs.closeSync(fa);
    fs.closeSync(fb);
  }
  const restA = ra.filter((_, i) => !sharedA.has(i));
  const restB = rb.filter((_, j) => !sharedB.has(j));
  const ha = rangeHashes(from, restA);
  const hb = rangeHashes(to, restB);
  const inA = new Set(ha);
  const inB = new Set(hb);
  return {
    a: restA.filter((_, i) => !inB.has(ha[i])),
    b: restB.filter((_, j) => !inA.has(hb[j])),
    skipped: sharedA.size + ha.filter((h) => inB.has(h)).length,
  };
}

/** Collects every entry's metadata (and a body hash) from a stream of decompressed chunks. */
class Collector implements EntrySink {
  readonly entries = new Map<string, ComparedMeta & { ino: number; nlink: number }>();
  private cur?: { name: string; hash: ReturnType<typeof createHash> };
  entry(e: ArchiveEntry): void {
    let name: string;
    try {
      name = normalizeEntryName(e.name) || ".";
    } catch {
      return;
    }
    const m: ComparedMeta & { ino: number; nlink: number } = {
      type: e.type,
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      size: e.type === "file" ? e.size : 0,
      ino: e.ino,
      nlink: e.nlink,
    };
    if (e.type === "symlink") m.linkTarget = e.linkName ?? "";
    if (e.type === "char" || e.type === "block") m.rdev = `${e.rdevMajor}:${e.rdevMinor}`;
    this.entries.set(name, m);
    this.cur = e.type === "file" && !e.hardLink ? { name, hash: createHash("sha256") } : undefined;
  }
  data(chunk: Buffer): void {
    this.cur?.hash.update(chunk);
  }
  end(): void {
    if (!this.cur) return;
    const m = this.entries.get(this.cur.name);
    if (m) m.sha256 = this.cur.hash.digest("hex");
    this.cur = undefined;
  }
  /** cpio stores a hard-link group's data once (its last name): the other names share its size and hash. */
  finishLinks(): void {
    const byIno = new Map<number, ComparedMeta>();
    for (const m of this.entries.values()) if (m.type === "file" && m.nlink > 1 && m.size > 0) byIno.set(m.ino, m);
    for (const m of this.entries.values()) {
      const full = m.type === "file" && m.nlink > 1 && m.size === 0 ? byIno.get(m.ino) : undefined;
      if (full) Object.assign(m, { size: full.size, sha256: full.sha256 });
    }
  }
}

async function readRanges(archive: string, ranges: MemberRange[], c: Collector, signal?: AbortSignal): Promise<number> {
  let inflated = 0;
  for (const r of ranges) {
    if (signal?.aborted) throw new AppError("conflict", "The comparison was cancelled.");
    const input = fs.createReadStream(archive, { start: r.offset, end: r.offset + r.length - 1, highWaterMark: 1 << 20 });
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    input.on("error", (e) => gunzip.destroy(e));
    const parser = new CpioParser(c);
    for await (const chunk of input.pipe(gunzip) as AsyncIterable<Buffer>) {
      inflated += chunk.length;
      parser.write(chunk);
    }
  }
  return inflated;
}

async function readWhole(archive: string, c: Collector, signal?: AbortSignal): Promise<number> {
  const opened = await openArchive(archive, signal);
  let inflated = 0;
  try {
    const parser: StreamParser = opened.format.container === "tar" ? new TarParser(c) : new CpioParser(c);
    for await (const chunk of opened.chunks) {
      inflated += chunk.length;
      parser.write(chunk);
    }
    parser.finish();
  } finally {
    opened.close();
  }
  return inflated;
}

function compareMeta(a: ComparedMeta, b: ComparedMeta): ComparedChange["kind"] | undefined | { fields: string[] } {
  if (a.type !== b.type) return "type";
  const fields: string[] = [];
  if (a.type === "file" && (a.size !== b.size || a.sha256 !== b.sha256)) fields.push("content");
  if (a.mode !== b.mode) fields.push("mode");
  if (a.uid !== b.uid) fields.push("owner");
  if (a.gid !== b.gid) fields.push("group");
  if ((a.linkTarget ?? "") !== (b.linkTarget ?? "")) fields.push("target");
  if ((a.rdev ?? "") !== (b.rdev ?? "")) fields.push("rdev");
  return fields.length ? { fields } : undefined;
}

const pub = ({ ino: _i, nlink: _n, ...m }: ComparedMeta & { ino?: number; nlink?: number }): ComparedMeta => m;

/** What differs between archive `from` and archive `to` (paths relative, as `/etc/motd`). */
export async function compareArchives(from: string, to: string, signal?: AbortSignal): Promise<CompareResult> {
  const ra = memberRanges(from);
  const rb = memberRanges(to);
  const a = new Collector();
  const b = new Collector();
  let bytesInflated = 0;
  let skipped = 0;
  if (ra && rb) {
    const u = unsharedRanges(from, to, ra, rb);
    skipped = u.skipped;
    bytesInflated += await readRanges(from, u.a, a, signal);
    bytesInflated += await readRanges(to, u.b, b, signal);
  } else {
    bytesInflated += await readWhole(from, a, signal);
    bytesInflated += await readWhole(to, b, signal);
  }
  a.finishLinks();
  b.finishLinks();
  const changes: ComparedChange[] = [];
  const abs = (p: string) => (p === "." ? "/" : `/${p}`);
  for (const [p, m] of a.entries) {
    const n = b.entries.get(p);
    if (!n) {
      changes.push({ path: abs(p), kind: "removed", fields: [], before: pub(m), after: null });
      continue;
    }
    const d = compareMeta(m, n);
    if (!d) continue;
    if (d === "type") changes.push({ path: abs(p), kind: "type", fields: ["type"], before: pub(m), after: pub(n) });
    else if (typeof d === "object")
      changes.push({
        path: abs(p),
        kind: d.fields.includes("content") ? "content" : "metadata",
        fields: d.fields,
        before: pub(m),
        after: pub(n),
      });
  }
  for (const [p, n] of b.entries)
    if (!a.entries.has(p)) changes.push({ path: abs(p), kind: "added", fields: [], before: null, after: pub(n) });
  changes.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return { changes, members: { from: ra?.length ?? 1, to: rb?.length ?? 1, skipped }, bytesInflated };
}

/** One regular file of an archive (its bytes, mode and owner), or null when it is not there. */
export async function fileInArchive(archive: string, imagePath: string): Promise<{ data: Buffer; mode: number; uid: number } | null> {
  const rel = imagePath.replace(/^\/+/, "");
  return (await readEntryFromArchive({ archive, target: { names: [rel] } })) ?? null;
}
