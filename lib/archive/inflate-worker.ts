import { Worker } from "node:worker_threads";
import { createGunzip } from "node:zlib";
import { CompressionError } from "./errors.ts";

const MiB = 1 << 20;
/** Ring of decompressed 1 MiB chunks shared with the worker: deep enough to absorb a slow file on either side. */
const SLOTS = 16;
const SLOT = MiB;
/** Control words (Int32): chunks published, chunks released, state (0 running, 1 done, 2 failed), bytes read. */
const PUBLISHED = 0;
const RELEASED = 1;
const STATE = 2;
const READ = 3;
const CTL_WORDS = 4;

/**
 * Worker source (eval'd, so it works the same from the esbuild bundle, tsx and vitest). A synchronous loop: read
 * 1 MiB, inflate it with node:zlib's engine straight into the free slots of the shared ring (no copy, no stream
 * machinery, no message per chunk), publish each full slot through an Atomics counter. It blocks (Atomics.wait) only
 * while the ring is full. The engine's writeSync/_writeState are what zlib's own sync path uses; multi-member gzip
 * is handled inside it; a truncated stream fails on the final Z_FINISH call ("unexpected end of file").
 */
const CODE = `
const { workerData, parentPort } = require("node:worker_threads");
const { openSync, readSync, closeSync } = require("node:fs");
const { createGunzip, constants: Z } = require("node:zlib");
const { file, ring, ctl, lens, slots, slot } = workerData;
const mem = Buffer.from(ring);
const c = new Int32Array(ctl);
const len = new Int32Array(lens);
let produced = 0, fill = 0, read = 0;
function slotFree() {
  for (;;) {
    const released = Atomics.load(c, ${RELEASED});
    if (produced - released < slots) return;
    Atomics.wait(c, ${RELEASED}, released);
  }
}
function publish() {
  len[produced % slots] = fill;
  fill = 0;
  Atomics.store(c, ${READ}, read);
  Atomics.store(c, ${PUBLISHED}, ++produced);
  Atomics.notify(c, ${PUBLISHED});
}
try {
  const g = createGunzip();
  const h = g._handle, st = g._writeState;
  if (typeof h?.writeSync !== "function" || !(st instanceof Uint32Array)) throw new Error("this Node.js lacks the zlib engine interface the inflate worker uses (zlib _handle.writeSync, _writeState; present in Node 20)");
  let error;
  h.onerror = (message) => { error = message; };
  const fd = openSync(file, "r");
  const input = Buffer.allocUnsafe(${MiB});
  let done = false;
  while (!done && error === undefined) {
    const n = readSync(fd, input, 0, input.length, null);
    read += n;
    const flush = n === 0 ? Z.Z_FINISH : Z.Z_NO_FLUSH;
    done = n === 0;
    let inOff = 0, availIn = n;
    for (;;) {
      if (fill === 0) slotFree();
      const availOut = slot - fill;
      h.writeSync(flush, input, inOff, availIn, mem, (produced % slots) * slot + fill, availOut);
      if (error !== undefined) break;
      const outLeft = st[0], inLeft = st[1];
      fill += availOut - outLeft;
      inOff += availIn - inLeft;
      availIn = inLeft;
      if (fill === slot) publish();
      if (outLeft !== 0) break;
    }
  }
  closeSync(fd);
  if (error !== undefined) throw new Error(error);
  if (fill > 0) publish();
  Atomics.store(c, ${READ}, read);
  Atomics.store(c, ${STATE}, 1);
  Atomics.notify(c, ${PUBLISHED});
} catch (e) {
  parentPort.postMessage(String((e && e.message) || e));
  Atomics.store(c, ${READ}, read);
  Atomics.store(c, ${STATE}, 2);
  Atomics.notify(c, ${PUBLISHED});
}`;

let engine: boolean | undefined;
/** Does this Node's zlib expose the engine interface the worker drives (checked once, like the worker does)? */
export function inflateEngineAvailable(): boolean {
  if (engine === undefined) {
    const g = createGunzip() as unknown as { _handle?: { writeSync?: unknown }; _writeState?: unknown; close(): void };
    engine = typeof g._handle?.writeSync === "function" && g._writeState instanceof Uint32Array;
    g.close();
  }
  return engine;
}

export interface InflatedStream {
  /** Decompressed chunks; each is valid only until the next one is asked for (its slot is then reused). */
  chunks: AsyncIterable<Buffer>;
  /** Compressed bytes the worker has read so far (for progress). */
  readonly bytesRead: number;
  /** Stops the worker; safe to call twice. */
  close(): void;
}

/**
 * Inflates a gzip file (single or multi-member) on a worker thread into a 16 MiB shared ring while the main thread
 * parses and writes. On the main thread's zlib stream the next inflate step was only issued when the event loop came
 * round, so inflating and extracting took turns, and each 1 MiB chunk was a fresh buffer on the main heap.
 */
export function inflateInWorker(
  file: string,
  signal?: AbortSignal,
  describe = (read: number) => `gzip data of ${file} is corrupt or truncated near compressed byte offset ${read}`,
): InflatedStream {
  const ring = new SharedArrayBuffer(SLOTS * SLOT);
  const ctl = new SharedArrayBuffer(CTL_WORDS * 4);
  const lens = new SharedArrayBuffer(SLOTS * 4);
  const mem = Buffer.from(ring);
  const c = new Int32Array(ctl);
  const len = new Int32Array(lens);
  const worker = new Worker(CODE, { eval: true, workerData: { file, ring, ctl, lens, slots: SLOTS, slot: SLOT } });
  let message: string | undefined;
  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  worker.on("message", (m: string) => {
    message = m;
    poke();
  });
  worker.on("error", (e) => {
    message = e.message;
    poke();
  });
  worker.on("exit", poke);
  let closed = false;
  const onAbort = () => close();
  signal?.addEventListener("abort", onAbort, { once: true });
  function close() {
    if (closed) return;
    closed = true;
    signal?.removeEventListener("abort", onAbort);
    poke();
    void worker.terminate();
  }
  async function* chunks(): AsyncGenerator<Buffer> {
    let consumed = 0;
    try {
      for (;;) {
        if (signal?.aborted) throw Object.assign(new Error("inflate aborted"), { name: "AbortError" });
        if (Atomics.load(c, PUBLISHED) > consumed) {
          const s = consumed % SLOTS;
          yield mem.subarray(s * SLOT, s * SLOT + len[s]);
          // The consumer asked for the next chunk: it is done with this slot.
          Atomics.store(c, RELEASED, ++consumed);
          Atomics.notify(c, RELEASED);
          continue;
        }
        const state = Atomics.load(c, STATE);
        if (state === 1 && Atomics.load(c, PUBLISHED) === consumed) return;
        if (state === 2) {
          // The worker's reason comes as a message; it may still be on its way.
          if (message === undefined) {
            await new Promise<void>((r) => {
              wake = r;
              setTimeout(r, 1000);
            });
          }
          throw new CompressionError(`${describe(Atomics.load(c, READ))} (${message ?? "inflate failed"})`);
        }
        if (closed) throw new CompressionError(`${describe(Atomics.load(c, READ))} (the inflate worker stopped)`);
        const w = Atomics.waitAsync(c, PUBLISHED, consumed);
        if (w.async) await Promise.race([w.value, new Promise<void>((r) => (wake = r))]);
      }
    } finally {
      close();
    }
  }
  return {
    chunks: chunks(),
    get bytesRead() {
      return Atomics.load(c, READ);
    },
    close,
  };
}
