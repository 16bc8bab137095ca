import { spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import { availableParallelism } from "node:os";
import { gzipSync } from "node:zlib";
import { buildRaw, buildTrailer, type CpioRecord, headerLength, recordLength, writeBody, writeHeader } from "./cpio-writer.ts";
import { ArchiveError, throwIfAborted } from "./errors.ts";
import type { GzipCompressor } from "./gzip-compressor.ts";
import { maxPadFor, paddedHeader, slackFor } from "./gzip-slack.ts";
import type { CachedMember } from "./pack-cache.ts";
import type { Member } from "./plan-members.ts";
import type { ProgressCallback } from "./types.ts";

const MiB = 1 << 20;
/** Members bigger than this (a single large file) are fed to the compressor as a stream, not built in memory. */
const STREAM_THRESHOLD = 32 * MiB;

export interface WriteMembersOptions {
  fd: number;
  members: Member[];
  /** gzip only: what compresses each member (libdeflate-gzip or zlib, with its level). */
  compressor: GzipCompressor;
  /**
   * Members of the previous archive that can be copied as they are. `base`, when given, resolves once `fd` holds a
   * full copy of that archive (made by the caller in the kernel while the tree was walked): kept members whose
   * offset does not move then need no write at all.
   */
  reuse?: { file: string; byKey: Map<string, CachedMember>; base?: Promise<void> };
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
  entriesTotal: number;
  warnings: string[];
}

export interface WrittenMember {
  key: string;
  offset: number;
  length: number;
  rawLength: number;
  reused: boolean;
}

function writeAt(fd: number, buf: Buffer, pos: number): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, pos + off);
}

function copyRange(src: number, dst: number, from: number, to: number, length: number, scratch: Buffer): void {
  let done = 0;
  while (done < length) {
    const n = readSync(src, scratch, 0, Math.min(scratch.length, length - done), from + done);
    if (n === 0) throw new ArchiveError("previous archive shrank while its members were being reused; pack again with --full");
    writeAt(dst, scratch.subarray(0, n), to + done);
    done += n;
  }
}

/** Runs at most `n` tasks at once (one compressor process or pool thread per core, and no more). */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= n) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** Compressed members finished ahead of their turn are held up to this many bytes (a big member can take ~1 s). */
const MAX_AHEAD_BYTES = 24 * MiB;
/**
 * A run of rebuilt members (more than one) up to this size waits for all its parts so it can be fitted into the old
 * ones' place; bigger runs could not all be held (MAX_AHEAD_BYTES). A single member always can.
 */
const MAX_FIT_RAW = 16 * MiB;

/**
 * Writes one multi-member gzip stream: unchanged members are kept from the previous archive byte for byte, the others
 * are built from the tree and compressed in parallel (libdeflate-gzip processes, or node:zlib on the libuv pool), one
 * compression per core, and written with positional writes. Each compressed member gets some slack (gzip-slack.ts);
 * a run of rebuilt members that fits where the old ones were is padded to end exactly at the next kept member, so
 * with a base copy nothing after it is rewritten. The decompressed result is one newc stream ending with TRAILER!!!.
 */
export async function writeGzipMembers(o: WriteMembersOptions): Promise<WrittenMember[]> {
  const cores = Math.max(1, availableParallelism());
  const slot = limiter(Math.max(2, cores));
  const src = o.reuse ? openSync(o.reuse.file, "r") : -1;
  // 1 MiB: stays in cache; measured faster on tmpfs than 4 or 16 MiB.
  const scratch = Buffer.allocUnsafe(MiB);
  const out: WrittenMember[] = [];
  const pending = new Map<number, Promise<Buffer>>();
  const total = o.members.reduce((a, m) => a + m.rawLength, 0);
  const hitOf = (m: Member | undefined) => {
    const hit = m && o.reuse?.byKey.get(m.key);
    return hit && hit.rawLength === m.rawLength ? hit : undefined;
  };
  const base = o.reuse?.base;
  let baseReady = !base;
  // Nothing is written before the base copy is complete (it would overwrite what we wrote).
  const ensureBase = async () => {
    if (!baseReady) await base;
    baseReady = true;
  };
  // Raw buffers are recycled: left to the GC, hundreds of MB of dead 4-16 MiB buffers pile up in RSS.
  const pool: Buffer[] = [];
  const take = () => pool.pop() ?? Buffer.allocUnsafeSlow(STREAM_THRESHOLD);
  // Incremental repack of a few members: cut each into sub-members on entry boundaries so that even a single
  // changed member is compressed on all cores (the full pack keeps whole members: each part costs a process).
  const toCompress = o.members.filter((m) => !hitOf(m)).length;
  const split = cores > 1 && toCompress <= cores;
  let nextToStart = 0;
  let building = 0;
  let ahead = 0;
  const startMore = () => {
    // One raw buffer more than cores: the next member is built while the others compress.
    while (building < Math.max(2, cores) + 1 && ahead < MAX_AHEAD_BYTES && nextToStart < o.members.length) {
      const i = nextToStart++;
      const m = o.members[i];
      if (hitOf(m)) continue;
      building++;
      let p: Promise<Buffer>;
      const { compressPieces } = o.compressor;
      // Fed in pieces through the worker's buffer: no raw member held here (only for split members, few, is it built).
      if (compressPieces && !split) p = slot(() => compressPieces((buf) => rawPieces(m, o.warnings, buf), m.rawLength));
      else if (m.rawLength > STREAM_THRESHOLD) p = slot(() => o.compressor.compressChunks(rawChunks(m, o.warnings), m.rawLength));
      else {
        const buf = take();
        const rawBuf = buildRaw(m.records, m.rawLength, o.warnings, buf);
        p = (split ? compressSplit(rawBuf, m, cores, o.compressor, slot) : slot(() => o.compressor.compress(rawBuf))).finally(() =>
          pool.push(buf),
        );
      }
      p = p.then(
        (gz) => {
          building--;
          ahead += gz.length;
          startMore();
          return gz;
        },
        (e) => {
          building--;
          throw e;
        },
      );
      p.catch(() => {});
      pending.set(i, p);
    }
  };
  const compressed = async (i: number) => {
    const gz = await pending.get(i)!;
    pending.delete(i);
    ahead -= gz.length;
    return gz;
  };
  let pos = 0;
  let raw = 0;
  let entries = 0;
  let last = 0;
  const written = (m: Member, length: number, reused: boolean) => {
    out.push({ key: m.key, offset: pos, length, rawLength: m.rawLength, reused });
    pos += length;
    raw += m.rawLength;
    entries += m.count;
  };
  try {
    for (let i = 0; i < o.members.length; i++) {
      throwIfAborted(o.signal, "pack");
      startMore();
      const m = o.members[i];
      const hit = hitOf(m);
      if (hit) {
        // Adjacent kept members are contiguous in the previous archive too: handle the run in one go.
        let j = i;
        let runLength = hit.length;
        for (
          let h: ReturnType<typeof hitOf>;
          j + 1 < o.members.length && (h = hitOf(o.members[j + 1])) && h.offset === hit.offset + runLength;
          j++
        )
          runLength += h.length;
        if (!base || hit.offset !== pos) {
          await ensureBase();
          copyRange(src, o.fd, hit.offset, pos, runLength, scratch);
        }
        for (let k = i; k <= j; k++) written(o.members[k], hitOf(o.members[k])!.length, true);
        i = j;
      } else {
        // The run of members to rebuild, and the kept member after it (if any).
        let k = i;
        let runRaw = m.rawLength;
        while (k + 1 < o.members.length && !hitOf(o.members[k + 1])) runRaw += o.members[++k].rawLength;
        const next = hitOf(o.members[k + 1]);
        const fit = base && next && next.offset > pos && (k === i || runRaw <= MAX_FIT_RAW) ? next.offset - pos : undefined;
        if (fit === undefined) k = i; // written one by one, each with its own slack
        const gzs: Buffer[] = [];
        for (let x = i; x <= k; x++) gzs.push(await compressed(x));
        const len = gzs.reduce((a, g) => a + g.length, 0);
        const gap = fit === undefined ? -1 : fit - len;
        // The member at offset 0 keeps a bare header (gzip -N would take a padded name as the file's name).
        const padAt = pos === 0 ? (k > i ? k : -1) : k;
        const fits = gap >= 0 && gap <= maxPadFor(len) && (gap === 0 || padAt >= 0);
        await ensureBase();
        for (let x = i; x <= k; x++) {
          const g = gzs[x - i];
          const pad = fits ? (x === padAt ? gap : 0) : pos === 0 ? 0 : slackFor(g.length);
          const head = paddedHeader(g, pad);
          writeAt(o.fd, head, pos);
          writeAt(o.fd, g.subarray(10), pos + head.length);
          written(o.members[x], g.length + pad, false);
        }
        i = k;
      }
      if (o.onProgress && Date.now() - last >= 100) {
        last = Date.now();
        o.onProgress({ phase: "pack", bytesDone: raw, bytesTotal: total, entries, entriesTotal: o.entriesTotal });
      }
    }
    throwIfAborted(o.signal, "pack");
    await ensureBase();
    // The trailer is tiny: zlib always (any level gives the same few bytes for every compressor).
    const trailer = gzipSync(buildTrailer(raw), { level: 6 });
    writeAt(o.fd, trailer, pos);
    out.push({ key: "trailer", offset: pos, length: trailer.length, rawLength: 0, reused: false });
    // The base copy may be longer than what we wrote.
    if (base) ftruncateSync(o.fd, pos + trailer.length);
    return out;
  } finally {
    await Promise.allSettled(pending.values());
    if (src >= 0) closeSync(src);
  }
}

/**
 * Compresses `raw` as up to `parts` gzip members cut on entry boundaries (so every member ends on one), in parallel.
 * Measured on the bench image: 8 MiB cut in two compresses to the same size within 0.03 %, so a member rebuilt this
 * way still fits its old place (slack) after a small edit.
 */
async function compressSplit(raw: Buffer, m: Member, parts: number, c: GzipCompressor, slot: ReturnType<typeof limiter>): Promise<Buffer> {
  const cuts: number[] = [];
  const step = raw.length / parts;
  let off = 0;
  for (const r of m.records) {
    off += recordLength(r);
    if (off < raw.length && off >= step * (cuts.length + 1)) cuts.push(off);
  }
  const bounds = [0, ...cuts, raw.length];
  const pieces = await Promise.all(bounds.slice(1).map((end, i) => slot(() => c.compress(raw.subarray(bounds[i], end)))));
  return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
}

/**
 * Raw newc bytes of a member, written into `buf` over and over: yields a view of it each time it is full (and the
 * rest at the end). The caller must be done with a view before asking for the next.
 */
function* rawPieces(m: Member, warnings: string[], buf: Buffer): Generator<Buffer> {
  let off = 0;
  let total = 0;
  const room = (n: number) => buf.length - off >= n;
  function* flush(): Generator<Buffer> {
    if (off === 0) return;
    total += off;
    yield buf.subarray(0, off);
    off = 0;
  }
  for (const r of m.records) {
    const hl = headerLength(Buffer.byteLength(r.name));
    if (!room(hl)) yield* flush();
    if (hl > buf.length) {
      // A name longer than the piece buffer (never in practice: names are at most PATH_MAX).
      const head = Buffer.allocUnsafe(hl);
      writeHeader(head, 0, r);
      total += hl;
      yield head;
    } else off = writeHeader(buf, off, r);
    if (r.size === 0) continue;
    const pad = (4 - (r.size % 4)) % 4;
    if (r.type === "symlink") {
      if (!room(r.size + pad)) yield* flush();
      off = writeBody(buf, off, r, warnings);
      continue;
    }
    const fd = openSync(r.abs, "r");
    try {
      let done = 0;
      while (done < r.size) {
        if (off === buf.length) yield* flush();
        const want = Math.min(buf.length - off, r.size - done);
        const n = readSync(fd, buf, off, want, null);
        if (n === 0) {
          // Same policy as GNU cpio ("shrunk by N bytes, padding with zeros"): keep the stream consistent.
          warnings.push(`${r.rel} shrank by ${r.size - done} bytes while packing; padded with zeros`);
          let left = r.size - done;
          while (left > 0) {
            if (off === buf.length) yield* flush();
            const z = Math.min(buf.length - off, left);
            buf.fill(0, off, off + z);
            off += z;
            left -= z;
          }
          break;
        }
        off += n;
        done += n;
      }
    } finally {
      closeSync(fd);
    }
    if (!room(pad)) yield* flush();
    buf.fill(0, off, off + pad);
    off += pad;
  }
  yield* flush();
  if (total !== m.rawLength) throw new ArchiveError(`internal: member length ${total} != planned ${m.rawLength}`, { code: "internal" });
}

/** Raw newc bytes of a member in bounded chunks (fresh buffers: the compressor keeps references). */
function* rawChunks(m: Member, warnings: string[]): Generator<Buffer> {
  for (const r of m.records) {
    const head = Buffer.allocUnsafe(headerLength(Buffer.byteLength(r.name)));
    writeHeader(head, 0, r);
    yield head;
    if (r.size > 0) yield* bodyChunks(r, warnings);
  }
}

function* bodyChunks(r: CpioRecord, warnings: string[]): Generator<Buffer> {
  if (r.type === "symlink") {
    const b = buildRaw([r], headerLength(Buffer.byteLength(r.name)) + r.size + ((4 - (r.size % 4)) % 4), warnings);
    yield b.subarray(headerLength(Buffer.byteLength(r.name)));
    return;
  }
  const fd = openSync(r.abs, "r");
  try {
    let done = 0;
    while (done < r.size) {
      const want = Math.min(4 * MiB, r.size - done);
      const b = Buffer.alloc(want);
      const n = readSync(fd, b, 0, want, null);
      if (n === 0) {
        warnings.push(`${r.rel} shrank by ${r.size - done} bytes while packing; padded with zeros`);
        yield Buffer.alloc(r.size - done);
        break;
      }
      yield n === want ? b : b.subarray(0, n);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  const pad = (4 - (r.size % 4)) % 4;
  if (pad) yield Buffer.alloc(pad);
}

/** xz output: one stream through `xz -T0 -c` (all cores); no member reuse. */
export async function writeXz(o: Omit<WriteMembersOptions, "compressor" | "reuse">): Promise<void> {
  const child = spawn("xz", ["-T0", "-c", "-6"], { stdio: ["pipe", o.fd, "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  const closed = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  const stdin = child.stdin!;
  stdin.on("error", () => {});
  let raw = 0;
  try {
    for (const m of o.members) {
      throwIfAborted(o.signal, "pack");
      const chunks = m.rawLength > STREAM_THRESHOLD ? rawChunks(m, o.warnings) : [buildRaw(m.records, m.rawLength, o.warnings)];
      for (const c of chunks) if (!stdin.write(c)) await once(stdin, "drain");
      raw += m.rawLength;
      o.onProgress?.({
        phase: "pack",
        bytesDone: raw,
        bytesTotal: o.members.reduce((a, x) => a + x.rawLength, 0),
        entries: 0,
        entriesTotal: o.entriesTotal,
      });
    }
    stdin.end(buildTrailer(raw));
  } catch (e) {
    child.kill();
    await closed.catch(() => {});
    throw e;
  }
  const code = await closed;
  if (code !== 0) throw new ArchiveError(`xz failed (exit ${code}): ${stderr.trim()}`);
}
