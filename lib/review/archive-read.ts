/**
 * Reads the bytes of one entry out of a published archive without unpacking it, for the pristine side of a
 * diff when the tree no longer holds them (a change made outside the product) and no copy was kept.
 *
 * An archive the product packed is a run of gzip members that each start at an entry boundary, written in the
 * tree walk's order (names sorted per directory, parents first), and its pack cache lists the members' offsets.
 * (or, without one, archive-members.ts finds them by their header slack). The member holding a path is then
 * found by inflating only the first header of O(log n) members; reading starts there and stops at the entry. Any other archive (one gzip stream, xz, tar) is read from the start
 * until the entry is found.
 */
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import path from "node:path";
import { createGunzip, gunzipSync, constants as zc } from "node:zlib";
import { CpioParser } from "@/lib/archive/cpio-parser";
import type { ArchiveEntry, EntrySink, StreamParser } from "@/lib/archive/entry";
import { openArchive } from "@/lib/archive/open-archive";
import { loadPackCache } from "@/lib/archive/pack-cache";
import { normalizeEntryName } from "@/lib/archive/safe-path";
import { TarParser } from "@/lib/archive/tar-parser";
import { memberRanges } from "./archive-members";

/** Compares two relative paths in the order the product's pack writes them: component by component, parents first. */
export function walkOrder(a: string, b: string): number {
  if (a === b) return 0;
  if (a === ".") return -1;
  if (b === ".") return 1;
  const pa = a.split("/");
  const pb = b.split("/");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** The name of the first entry of the gzip member at `offset` (a newc header), by inflating its first bytes. */
function firstNameOfMember(archive: string, offset: number, length: number): string | undefined {
  const fd = openSync(archive, "r");
  try {
    // FNAME slack of a member is ~512 bytes + 1/2048 of it; 64 KiB of deflate covers the first header.
    const want = Math.min(length, 64 * 1024 + Math.ceil(length / 2048));
    const buf = Buffer.allocUnsafe(want);
    const n = readSync(fd, buf, 0, want, offset);
    const raw = gunzipSync(buf.subarray(0, n), { finishFlush: zc.Z_SYNC_FLUSH });
    if (raw.length < 110 || !raw.subarray(0, 6).toString("latin1").startsWith("07070")) return undefined;
    const nameSize = Number.parseInt(raw.subarray(94, 102).toString("latin1"), 16);
    if (raw.length < 110 + nameSize) return undefined;
    return normalizeEntryName(raw.subarray(110, 110 + nameSize - 1).toString("utf8")) || ".";
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

type Found = { entry: ArchiveEntry; data: Buffer };

/**
 * Feeds decompressed chunks to a parser until `want` accepts an entry whose body is complete, or `past` says
 * the entry can no longer come. Returns undefined when the stream ends first.
 */
async function scan(
  chunks: AsyncIterable<Buffer>,
  container: "cpio" | "tar",
  want: (name: string, e: ArchiveEntry) => boolean,
  past: (name: string) => boolean,
): Promise<Found | undefined> {
  let cur: { entry: ArchiveEntry; parts: Buffer[] } | undefined;
  let found: Found | undefined;
  let stop = false;
  const sink: EntrySink = {
    entry(e) {
      if (found || stop) return;
      let name: string;
      try {
        name = normalizeEntryName(e.name) || ".";
      } catch {
        return;
      }
      if (want(name, e)) cur = { entry: e, parts: [] };
      else if (past(name)) stop = true;
    },
    data(chunk) {
      if (cur) cur.parts.push(Buffer.from(chunk));
    },
    end() {
      if (cur) {
        found = { entry: cur.entry, data: Buffer.concat(cur.parts) };
        cur = undefined;
      }
    },
  };
  const parser: StreamParser = container === "tar" ? new TarParser(sink) : new CpioParser(sink);
  for await (const chunk of chunks) {
    parser.write(chunk);
    if (found || stop || parser.done) break;
  }
  return found;
}

export type ArchiveReadTarget = {
  /** relative paths (no "./") under which the bytes may be stored: the entry and the other names of its hard-link group */
  names: string[];
  /** the size recorded in a manifest; without one, the entry that carries data under one of the names */
  size?: number;
};

/**
 * The body of one regular file of `archive`, or undefined when it is not there. `tree` locates the pack cache,
 * which is used only while it still describes this very archive file. Read only archives that are never
 * written in place (published by rename, kept versions): an open descriptor keeps the bytes it started with.
 */
export async function readEntryFromArchive(o: {
  archive: string;
  tree?: string;
  target: ArchiveReadTarget;
  signal?: AbortSignal;
}): Promise<{ data: Buffer; via: "member-index" | "scan"; mode: number; uid: number } | undefined> {
  const names = new Set(o.target.names);
  // cpio writes a hard-link group's data with its last name (the others have size 0); tar with its first.
  const want = (name: string, e: ArchiveEntry) =>
    names.has(name) &&
    e.type === "file" &&
    !e.hardLink &&
    (o.target.size === undefined ? e.size > 0 || e.nlink <= 1 : e.size === o.target.size);
  const cache = o.tree ? loadPackCache(o.tree) : undefined;
  const members =
    cache && path.resolve(cache.cache.archive) === path.resolve(o.archive) && cache.cache.members.length > 0
      ? cache.cache.members
      : memberRanges(o.archive);
  if (members) {
    const last = [...names].sort(walkOrder).at(-1)!;
    // the last member whose first entry is not after the wanted one
    let lo = 0;
    let hi = members.length - 1;
    let start = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const first = firstNameOfMember(o.archive, members[mid].offset, members[mid].length);
      if (first === undefined) break; // not the layout expected: fall back to reading from the start
      if (walkOrder(first, last) <= 0) {
        start = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (lo > hi) {
      const input = createReadStream(o.archive, { start: members[start].offset, highWaterMark: 1 << 20, signal: o.signal });
      const gunzip = createGunzip({ chunkSize: 1 << 20 });
      input.on("error", (e) => gunzip.destroy(e));
      try {
        const found = await scan(input.pipe(gunzip), "cpio", want, (name) => walkOrder(name, last) > 0);
        if (found) return { data: found.data, via: "member-index", mode: found.entry.mode, uid: found.entry.uid };
      } finally {
        input.destroy();
        gunzip.destroy();
      }
    }
  }
  const opened = await openArchive(o.archive, o.signal);
  try {
    const found = await scan(opened.chunks, opened.format.container, want, () => false);
    return found ? { data: found.data, via: "scan", mode: found.entry.mode, uid: found.entry.uid } : undefined;
  } finally {
    opened.close();
  }
}
