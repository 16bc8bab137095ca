import { Worker } from "node:worker_threads";
import { CompressionError } from "./errors.ts";

const MiB = 1 << 20;
/** Ring of decompressed 1 MiB chunks shared with the worker: deep enough to absorb a slow file on either side. */
const SLOTS = 16;
const SLOT = MiB;

/**
 * Worker source (eval'd, so it works the same from the esbuild bundle, tsx and vitest). It reads and inflates the
 * file with node:zlib (1 MiB output chunks: ~1.7x faster than the 16 KiB default), copies each chunk into a free
 * slot of the shared ring and posts its slot number; the main thread posts the slot back when it is done with it.
 */
const CODE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createReadStream } = require("node:fs");
const { createGunzip } = require("node:zlib");
const { file, ring, slots, slot } = workerData;
const mem = Buffer.from(ring);
const free = [];
for (let i = 0; i < slots; i++) free.push(i);
let wake;
parentPort.on("message", (s) => {
  free.push(s);
  if (wake) { const w = wake; wake = undefined; w(); }
});
let read = 0;
(async () => {
  const input = createReadStream(file, { highWaterMark: ${MiB} });
  input.on("data", (c) => { read += c.length; });
  const gunzip = createGunzip({ chunkSize: slot });
  input.on("error", (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  for await (const chunk of gunzip) {
    for (let off = 0; off < chunk.length; ) {
      if (!free.length) await new Promise((r) => (wake = r));
      const s = free.shift();
      const n = chunk.copy(mem, s * slot, off, Math.min(chunk.length, off + slot));
      off += n;
      parentPort.postMessage({ slot: s, len: n, read });
    }
  }
  parentPort.postMessage({ end: true, read });
})().catch((e) => parentPort.postMessage({ error: String(e && e.message || e), read }));`;

type Msg = { slot?: number; len?: number; read: number; end?: true; error?: string; exit?: true };

export interface InflatedStream {
  /** Decompressed chunks; each is valid only until the next one is asked for (its slot is then reused). */
  chunks: AsyncIterable<Buffer>;
  /** Compressed bytes the worker has read so far (for progress). */
  readonly bytesRead: number;
  /** Stops the worker; safe to call twice. */
  close(): void;
}

/**
 * Inflates a gzip file (single or multi-member) on a worker thread. On the main thread's zlib stream, the next
 * inflate step was only issued when the event loop came round, so inflating and extracting took turns; here the
 * worker inflates ahead into a 16 MiB shared ring while the main thread parses and writes, and no fresh 1 MiB
 * buffer per chunk reaches the main thread's heap (they drove most of its garbage collections).
 */
export function inflateInWorker(file: string, signal?: AbortSignal, describe = (read: number) => `gzip data of ${file} is corrupt or truncated near compressed byte offset ${read}`): InflatedStream {
  const ring = new SharedArrayBuffer(SLOTS * SLOT);
  const mem = Buffer.from(ring);
  const worker = new Worker(CODE, { eval: true, workerData: { file, ring, slots: SLOTS, slot: SLOT } });
  const queue: Msg[] = [];
  let waiting: (() => void) | undefined;
  let read = 0;
  let closed = false;
  const push = (m: Msg) => {
    queue.push(m);
    waiting?.();
    waiting = undefined;
  };
  worker.on("message", push);
  worker.on("error", (e) => push({ error: e.message, read }));
  worker.on("exit", () => push({ exit: true, read }));
  const onAbort = () => close();
  signal?.addEventListener("abort", onAbort, { once: true });
  const close = () => {
    if (closed) return;
    closed = true;
    signal?.removeEventListener("abort", onAbort);
    void worker.terminate();
  };
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        if (!queue.length) await new Promise<void>((r) => (waiting = r));
        const m = queue.shift()!;
        read = m.read;
        if (signal?.aborted) throw Object.assign(new Error("inflate aborted"), { name: "AbortError" });
        if (m.error !== undefined) throw new CompressionError(`${describe(read)} (${m.error})`);
        if (m.end) return;
        if (m.exit) throw new CompressionError(`${describe(read)} (the inflate worker stopped)`);
        yield mem.subarray(m.slot! * SLOT, m.slot! * SLOT + m.len!);
        // The consumer asked for the next chunk: it is done with this slot.
        if (!closed) worker.postMessage(m.slot);
      }
    } finally {
      close();
    }
  }
  return {
    chunks: chunks(),
    get bytesRead() {
      return read;
    },
    close,
  };
}
