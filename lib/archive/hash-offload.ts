import { Worker } from "node:worker_threads";
import { ArchiveError } from "./errors.ts";

/** Worker source (eval'd, so it works the same from the esbuild bundle, tsx and vitest). */
const CODE = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const open = new Map();
parentPort.on("message", (msg) => {
  let h = open.get(msg.id);
  if (!h) open.set(msg.id, (h = createHash("sha256")));
  const ack = msg.len;
  if (ack) h.update(new Uint8Array(msg.data, 0, ack));
  // The buffer goes back to the main thread for reuse (fresh buffers cost page faults and GC there).
  const back = msg.data ? [msg.data] : [];
  if (msg.end) {
    open.delete(msg.id);
    parentPort.postMessage({ id: msg.id, ack, hex: h.digest("hex"), data: msg.data }, back);
  } else parentPort.postMessage({ id: msg.id, ack, data: msg.data }, back);
});`;

const FLUSH = 4 << 20;
/** Batch buffers are this big so a batch of FLUSH bytes plus one more chunk fits without a second copy. */
const BATCH = FLUSH + (1 << 20);
/** Past this many bytes posted and not yet hashed (the worker lags on a busy machine), new files hash in place. */
const MAX_IN_FLIGHT = 16 << 20;

/**
 * SHA-256 of big files on a worker thread, so the unpack's main thread (parse, write) does not also hash: on the
 * bench image that was ~0.45 s of a ~2.5 s main thread, while the other core only inflates. Data is copied into
 * pooled 5 MiB buffers (the caller's chunks are views into shared decompressor output) and transferred in 4 MiB
 * batches; the worker transfers each buffer back for reuse.
 */
export class HashOffload {
  private worker: Worker | undefined;
  private nextId = 1;
  private buf: Buffer | undefined;
  private bytes = 0;
  private pool: ArrayBuffer[] = [];
  private waiting = new Map<number, (hex: string) => void>();
  private failure: Error | undefined;
  private idle: (() => void) | undefined;
  private inFlight = 0;

  /** An id for a new file, or undefined when the worker is behind: hash that file on the calling thread. */
  begin(): number | undefined {
    if (this.inFlight > MAX_IN_FLIGHT) return undefined;
    if (!this.worker) {
      this.worker = new Worker(CODE, { eval: true });
      this.worker.on("message", (m: { id: number; ack: number; hex?: string; data?: ArrayBuffer }) => {
        this.inFlight -= m.ack;
        if (m.data?.byteLength === BATCH && this.pool.length < 4) this.pool.push(m.data);
        if (m.hex === undefined) return;
        const done = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        done?.(m.hex);
        if (this.waiting.size === 0) this.idle?.();
      });
      this.worker.on("error", (e) => {
        this.failure = new ArchiveError(`hashing extracted files failed: ${e.message}`, { cause: e });
        this.idle?.();
      });
    }
    return this.nextId++;
  }

  update(id: number, chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (!this.buf) {
        const ab = this.pool.pop();
        this.buf = ab ? Buffer.from(ab) : Buffer.allocUnsafeSlow(BATCH);
      }
      const n = chunk.copy(this.buf, this.bytes, off);
      off += n;
      this.bytes += n;
      if (this.bytes >= FLUSH) this.flush(id, false);
    }
  }

  /** `done` gets the hex digest later, always before `drain()` resolves. */
  end(id: number, done: (hex: string) => void): void {
    this.waiting.set(id, done);
    this.flush(id, true);
  }

  private flush(id: number, end: boolean): void {
    const data = this.buf?.buffer as ArrayBuffer | undefined;
    const len = this.bytes;
    this.buf = undefined;
    this.inFlight += len;
    this.bytes = 0;
    // The ArrayBuffer itself is transferred (a Buffer view costs more to post), then comes back in the reply.
    this.worker!.postMessage({ id, data, len, end }, data ? [data] : []);
  }

  /** Waits for every digest asked for, then stops the worker. */
  async drain(): Promise<void> {
    if (this.waiting.size && !this.failure) await new Promise<void>((r) => (this.idle = r));
    this.close();
    if (this.failure) throw this.failure;
  }

  close(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
