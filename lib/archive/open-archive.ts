import { spawn } from "node:child_process";
import { createReadStream, statSync } from "node:fs";
import { createGunzip } from "node:zlib";
import { detectFormat } from "./detect-format.ts";
import { CompressionError } from "./errors.ts";
import { inflateEngineAvailable, inflateInWorker } from "./inflate-worker.ts";
import type { ArchiveFormat } from "./types.ts";

const MiB = 1 << 20;

export interface OpenedArchive {
  format: ArchiveFormat;
  /** Compressed size of the file. */
  total: number;
  /** Compressed bytes consumed so far (for progress). */
  readonly bytesRead: number;
  /** Decompressed bytes, in big chunks; a chunk may be reused once the next one is asked for (gzip). */
  chunks: AsyncIterable<Buffer>;
  /** Stops reading and any child process; safe to call twice. */
  close(): void;
}

/**
 * Opens an archive as a stream of decompressed chunks. gzip (single or multi-member) is inflated on a worker
 * thread (inflate-worker.ts) so inflation overlaps the consumer; xz is decompressed by `xz -dc` (no xz in
 * node:zlib).
 */
export async function openArchive(archive: string, signal?: AbortSignal): Promise<OpenedArchive> {
  const format = await detectFormat(archive);
  const total = statSync(archive).size;
  // The worker drives zlib's engine interface (present in Node 20); a Node without it, or ROOTIMG_INFLATE=stream,
  // inflates with node:zlib's stream on this thread instead: slower, never wrong.
  if (format.compression === "gzip" && process.env.ROOTIMG_INFLATE !== "stream" && inflateEngineAvailable()) {
    const inflated = inflateInWorker(archive, signal);
    return {
      format,
      total,
      get bytesRead() {
        return inflated.bytesRead;
      },
      chunks: inflated.chunks,
      close: () => inflated.close(),
    };
  }
  const input = createReadStream(archive, { highWaterMark: MiB, signal });
  let bytesRead = 0;
  input.on("data", (c) => {
    bytesRead += c.length;
  });
  let chunks: AsyncIterable<Buffer>;
  let child: ReturnType<typeof spawn> | undefined;
  if (format.compression === "xz") {
    child = spawn("xz", ["-dc"], { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => {
      stderr += d;
    });
    input.on("error", (e) => child!.stdout!.destroy(e));
    child.stdin!.on("error", () => {});
    input.pipe(child.stdin!);
    const exited = new Promise<number | null>((resolve) => child!.on("close", resolve));
    chunks = xzChunks(
      child.stdout! as AsyncIterable<Buffer>,
      exited,
      () => `xz data of ${archive} is corrupt or truncated near compressed byte offset ${bytesRead}: ${stderr.trim().split("\n").pop()}`,
    );
  } else if (format.compression === "gzip") {
    const gunzip = createGunzip({ chunkSize: MiB });
    input.on("error", (e) => gunzip.destroy(e));
    chunks = mapErrors(
      input.pipe(gunzip),
      () => `gzip data of ${archive} is corrupt or truncated near compressed byte offset ${bytesRead}`,
    );
  } else {
    chunks = input as AsyncIterable<Buffer>;
  }
  return {
    format,
    total,
    get bytesRead() {
      return bytesRead;
    },
    chunks,
    close() {
      input.destroy();
      child?.kill();
    },
  };
}

async function* mapErrors(src: AsyncIterable<Buffer>, msg: () => string): AsyncIterable<Buffer> {
  try {
    yield* src;
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new CompressionError(`${msg()} (${(e as Error).message})`, e);
  }
}

async function* xzChunks(src: AsyncIterable<Buffer>, exited: Promise<number | null>, msg: () => string): AsyncIterable<Buffer> {
  yield* mapErrors(src, msg);
  const code = await exited;
  if (code !== 0) throw new CompressionError(msg());
}
