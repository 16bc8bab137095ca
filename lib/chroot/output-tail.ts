import type { OutputStream } from "./run-in-chroot";

export type OutputChunk = { stream: OutputStream | "info"; text: string };

/** 10 MB of output per command are kept; beyond that the oldest output is dropped (the end says how it ended). */
export const DEFAULT_OUTPUT_LIMIT = 10 * 1024 * 1024;

/**
 * The bounded tail of a command's output, in arrival order with the stream of each piece. A command that
 * prints gigabytes costs `limit` bytes of memory; `cutBytes` says how much was dropped before the tail.
 */
export class OutputTail {
  private chunks: OutputChunk[] = [];
  private bytes = 0;
  cutBytes = 0;

  constructor(private readonly limit = DEFAULT_OUTPUT_LIMIT) {}

  add(stream: OutputChunk["stream"], text: string): void {
    const last = this.chunks[this.chunks.length - 1];
    if (last && last.stream === stream && last.text.length < 64 * 1024) last.text += text;
    else this.chunks.push({ stream, text });
    this.bytes += Buffer.byteLength(text);
    while (this.bytes > this.limit && this.chunks.length) {
      const first = this.chunks[0];
      const size = Buffer.byteLength(first.text);
      const over = this.bytes - this.limit;
      if (size <= over) {
        this.chunks.shift();
        this.bytes -= size;
        this.cutBytes += size;
      } else {
        // cut inside the chunk at a character boundary (approximately `over` bytes)
        const cut = Buffer.from(first.text)
          .subarray(over)
          .toString("utf8")
          .replace(/^\uFFFD+/, "");
        const removed = size - Buffer.byteLength(cut);
        first.text = cut;
        this.bytes -= removed;
        this.cutBytes += removed;
      }
    }
  }

  get size(): number {
    return this.bytes;
  }

  toJSON(): { chunks: OutputChunk[]; cutBytes: number } {
    return { chunks: this.chunks.map((c) => ({ ...c })), cutBytes: this.cutBytes };
  }
}
