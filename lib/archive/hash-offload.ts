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
  if (msg.data) h.update(msg.data);
  const ack = msg.data ? msg.data.length : 0;
  if (msg.end) {
    open.delete(msg.id);
    parentPort.postMessage({ id: msg.id, ack, hex: h.digest("hex") });
  } else if (ack) parentPort.postMessage({ id: msg.id, ack });
});`;

const FLUSH = 4 << 20;
/** Past this many bytes posted and not yet hashed (the worker lags on a busy machine), new files hash in place. */
const MAX_IN_FLIGHT = 32 << 20;

/**
 * SHA-256 of big files on a worker thread, so the unpack's main thread (parse, write) does not also hash: on the
 * bench image that was ~0.45 s of a ~2.5 s main thread, while the other core only inflates. Data is copied into
 * fresh buffers (the caller's chunks are views into shared decompressor output) and transferred in 4 MiB batches.
 */
export class HashOffload {
  private worker: Worker | undefined;
  private nextId = 1;
  private pieces: Buffer[] = [];
  private bytes = 0;
  private waiting = new Map<number, (hex: string) => void>();
  private failure: Error | undefined;
  private idle: (() => void) | undefined;
  private inFlight = 0;

  /** An id for a new file, or undefined when the worker is behind: hash that file on the calling thread. */
  begin(): number | undefined {
    if (this.inFlight > MAX_IN_FLIGHT) return undefined;
    if (!this.worker) {
      this.worker = new Worker(CODE, { eval: true });
      this.worker.on("message", (m: { id: number; ack: number; hex?: string }) => {
        this.inFlight -= m.ack;
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
    this.pieces.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes >= FLUSH) this.flush(id, false);
  }

  /** `done` gets the hex digest later, always before `drain()` resolves. */
  end(id: number, done: (hex: string) => void): void {
    this.waiting.set(id, done);
    this.flush(id, true);
  }

  private flush(id: number, end: boolean): void {
    let data: Buffer | undefined;
    if (this.bytes) {
      data = Buffer.allocUnsafeSlow(this.bytes);
      let off = 0;
      for (const p of this.pieces) off += p.copy(data, off);
    }
    this.pieces = [];
    this.inFlight += this.bytes;
    this.bytes = 0;
    this.worker!.postMessage({ id, data, end }, data ? [data.buffer as ArrayBuffer] : []);
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
