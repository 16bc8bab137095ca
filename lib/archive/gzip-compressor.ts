import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { createGzip, gzip } from "node:zlib";
import { ArchiveError } from "./errors.ts";

const gzipAsync = promisify(gzip);
const MiB = 1 << 20;

export type CompressorKind = "libdeflate" | "zlib";

/** Compresses one gzip member, from a buffer or from a stream of chunks (big members, kept out of memory). */
export interface GzipCompressor {
  kind: CompressorKind;
  level: number;
  compress(raw: Buffer): Promise<Buffer>;
  /** `length`: the exact number of bytes the chunks add up to. */
  compressChunks(chunks: Iterable<Buffer>, length: number): Promise<Buffer>;
  /**
   * libdeflate only: the raw bytes come from `pieces(buf)`, which fills one buffer of the compressor's (PIECE bytes)
   * again and again and yields views of it; each is written out before the next is asked for. Node then holds no
   * member in memory (the libdeflate-gzip process does: it compresses its whole input at once).
   */
  compressPieces?(pieces: (buf: Buffer) => Iterable<Buffer>, length: number): Promise<Buffer>;
}

/** Size of the buffer a libdeflate worker's member is fed through. */
export const PIECE = MiB;

/**
 * Default levels, measured on the bench image (727 MB newc, 8 MiB pieces) against pigz -6 (248.4 MB):
 * libdeflate 3: 1.017x size, 5.3 s CPU; libdeflate 4: 1.013x, 6.1 s; zlib 5: 1.012x, 12.7 s.
 */
export const DEFAULT_LEVEL: Record<CompressorKind, number> = { libdeflate: 3, zlib: 5 };

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(":")) {
    const p = path.join(dir || ".", name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {}
  }
  return undefined;
}

let libdeflatePath: string | null | undefined;

/**
 * libdeflate-gzip (Debian libdeflate-tools) when installed: about twice zlib's speed at equal size. zlib otherwise,
 * or when ROOTIMG_GZIP=zlib (tests of the fallback, or to match an older cache).
 */
export function pickCompressorKind(wanted?: CompressorKind): CompressorKind {
  const w = wanted ?? (process.env.ROOTIMG_GZIP === "zlib" ? "zlib" : undefined);
  if (w === "zlib") return "zlib";
  if (libdeflatePath === undefined) libdeflatePath = findOnPath("libdeflate-gzip") ?? null;
  if (w === "libdeflate" && !libdeflatePath)
    throw new ArchiveError("libdeflate-gzip is not installed: apt-get install libdeflate-tools, or pack with zlib");
  return libdeflatePath ? "libdeflate" : "zlib";
}

/**
 * Where the compressors run: `close()` ends the libdeflate workers (call it when the pack ends, also on error).
 * `slots` compressions at most run at once (one per core).
 */
export function makeCompressor(kind: CompressorKind, level = DEFAULT_LEVEL[kind], slots = 2): GzipCompressor & { close(): Promise<void> } {
  if (kind === "zlib") {
    return {
      kind,
      level,
      compress: (raw) => gzipAsync(raw, { level, chunkSize: MiB }),
      compressChunks: (chunks) => zlibStream(chunks, level),
      close: async () => {},
    };
  }
  const pool = new LibdeflatePool(libdeflatePath ?? "libdeflate-gzip", level, slots);
  return {
    kind,
    level,
    compress: (raw) => pool.run([raw], raw.length),
    compressChunks: (chunks, length) => pool.run(chunks, length),
    compressPieces: (pieces, length) => pool.run(pieces, length),
    close: () => pool.close(),
  };
}

async function zlibStream(chunks: Iterable<Buffer>, level: number): Promise<Buffer> {
  const gz = createGzip({ level, chunkSize: MiB });
  const out: Buffer[] = [];
  gz.on("data", (d: Buffer) => out.push(d));
  const ended = once(gz, "end");
  for (const c of chunks) if (!gz.write(c)) await once(gz, "drain");
  gz.end();
  await ended;
  return Buffer.concat(out);
}

/**
 * A long-lived sh per slot runs one libdeflate-gzip per member: "<length>\n<raw bytes>" in, "<length>\n<gzip
 * member>" out (libdeflate-gzip compresses its whole stdin as one member, header mtime 0, so output is
 * deterministic). Spawning from Node for each member cost ~20 ms of blocked event loop each (fork of a big process).
 * dd reads exactly n bytes in big reads (head -c reads 8 KiB at a time); the output goes through tmpfs when there is
 * one (an ext4 file truncated and rewritten is flushed to disk on close).
 */
const WORKER = `t=$(mktemp -p /dev/shm 2>/dev/null || mktemp) || exit 1
trap 'rm -f "$t"' EXIT
trap 'exit 1' HUP INT TERM
while read -r n; do
  dd bs=1M count="$n" iflag=count_bytes,fullblock status=none | "$0" "$1" -c > "$t" || exit 1
  wc -c < "$t" && cat "$t" || exit 1
done`;

interface Job {
  /** Chunks to write, or a generator of views into the worker's piece buffer. */
  chunks: Iterable<Buffer> | ((buf: Buffer) => Iterable<Buffer>);
  length: number;
  resolve(b: Buffer): void;
  reject(e: Error): void;
}

class Worker {
  private child: ChildProcess;
  private job?: Job;
  private header = "";
  private out?: Buffer;
  private got = 0;
  private stderr = "";
  private failure?: Error;
  private piece?: Buffer;
  readonly exited: Promise<void>;
  constructor(
    bin: string,
    level: number,
    private onIdle: (w: Worker) => void,
  ) {
    this.child = spawn("/bin/sh", ["-c", WORKER, bin, `-${level}`], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdin!.on("error", () => {});
    this.child.stderr!.on("data", (d) => {
      this.stderr += d;
    });
    this.child.stdout!.on("data", (d: Buffer) => this.onData(d));
    const fail = (why: string) => {
      this.failure = new ArchiveError(
        `libdeflate-gzip failed (${why}): ${this.stderr.trim() || "no message"}; set ROOTIMG_GZIP=zlib to pack without it`,
      );
      this.job?.reject(this.failure);
      this.job = undefined;
    };
    this.child.on("error", (e) => fail(e.message));
    this.exited = new Promise((resolve) =>
      this.child.on("close", (code) => {
        if (this.job || code !== 0) fail(`exit ${code}`);
        resolve();
      }),
    );
  }

  async start(job: Job): Promise<void> {
    if (this.failure) return job.reject(this.failure);
    this.job = job;
    this.header = "";
    this.out = undefined;
    this.got = 0;
    const stdin = this.child.stdin!;
    stdin.write(`${job.length}\n`);
    try {
      if (typeof job.chunks === "function") {
        this.piece ??= Buffer.allocUnsafeSlow(PIECE);
        // The buffer is refilled for the next piece: wait until the pipe has taken this one (the write's callback).
        for (const c of job.chunks(this.piece)) {
          await new Promise<void>((resolve) => stdin.write(c, () => resolve()));
          if (this.job !== job) break;
        }
      } else for (const c of job.chunks) if (!stdin.write(c) && this.job === job) await once(stdin, "drain");
    } catch (e) {
      // The member is short: retire this worker (closing its stdin lets sh finish and remove its temp file).
      this.failure = e as Error;
      this.job = undefined;
      stdin.end();
      job.reject(e as Error);
    }
  }

  private onData(d: Buffer): void {
    while (d.length && this.job) {
      if (!this.out) {
        const nl = d.indexOf(10);
        this.header += d.subarray(0, nl < 0 ? d.length : nl).toString("latin1");
        if (nl < 0) return;
        d = d.subarray(nl + 1);
        this.out = Buffer.allocUnsafe(Number(this.header.trim()));
      }
      const n = Math.min(d.length, this.out.length - this.got);
      d.copy(this.out, this.got, 0, n);
      this.got += n;
      d = d.subarray(n);
      if (this.got === this.out.length) {
        const job = this.job;
        this.job = undefined;
        job.resolve(this.out);
        this.out = undefined;
        this.onIdle(this);
      }
    }
  }

  /** Not killed: on stdin's end sh finishes the member at hand, exits and removes its temp file. */
  close(): void {
    this.child.stdin!.end();
  }
}

class LibdeflatePool {
  private idle: Worker[] = [];
  private all: Worker[] = [];
  private queue: Job[] = [];
  constructor(
    private bin: string,
    private level: number,
    private slots: number,
  ) {
    // All workers start now, while the pack's process is small: a fork after the walk copies the grown process
    // (copy-on-write, but counted in the child's RSS until its exec) and takes longer.
    while (this.all.length < this.slots) this.spawn();
  }

  private spawn(): Worker {
    const w = new Worker(this.bin, this.level, (x) => {
      this.idle.push(x);
      this.pump();
    });
    this.all.push(w);
    this.idle.push(w);
    return w;
  }

  run(chunks: Job["chunks"], length: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.queue.push({ chunks, length, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length) {
      const w = this.idle.pop();
      if (!w) return;
      void w.start(this.queue.shift()!);
    }
  }

  /** Ends the workers; resolves once they exited (their temp files are gone by then). */
  close(): Promise<void> {
    for (const w of this.all) w.close();
    for (const j of this.queue.splice(0)) j.reject(new ArchiveError("pack ended before a member was compressed"));
    return Promise.all(this.all.map((w) => w.exited)).then(() => {});
  }
}
