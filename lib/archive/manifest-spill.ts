import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import type { ManifestEntry } from "./types.ts";

const FLUSH = 1 << 20;

/**
 * The unpack's manifest, kept on disk while the archive is extracted instead of as one object per entry (at 186k
 * entries the objects and the final JSON string were ~100 MB of the unpack's memory). Every entry gets a sequence
 * number when it is recorded; the manifest lists entries in that order, minus dropped ones (replaced by a later
 * entry of the same name). A final entry goes to the spill file at once when nothing after it was spilled yet,
 * else (its digest came back from the hash worker later, or it belongs to a hard-link group completed at the end)
 * it waits in memory as its JSON text: `write` merges both in sequence order into the manifest file.
 */
export class ManifestSpill {
  private fd: number;
  private buf: string[] = [];
  private bufLen = 0;
  private lastSpilled = -1;
  private late: { seq: number; json: string }[] = [];
  private dropped = new Set<number>();
  private nextSeq = 0;

  constructor(private readonly file: string) {
    this.fd = openSync(file, "wx", 0o600);
  }

  /** A sequence number for a new entry: its place in the manifest. */
  seq(): number {
    return this.nextSeq++;
  }

  /** The entry with this number is final (its digest and size are known). */
  add(seq: number, m: ManifestEntry): void {
    if (this.dropped.has(seq)) return;
    const json = JSON.stringify(m);
    if (seq > this.lastSpilled) {
      this.lastSpilled = seq;
      const line = `${seq}\t${json}\n`;
      this.buf.push(line);
      this.bufLen += line.length;
      if (this.bufLen >= FLUSH) this.flush();
    } else this.late.push({ seq, json });
  }

  /** The entry with this number was replaced by a later one: it is not listed. */
  drop(seq: number): void {
    this.dropped.add(seq);
  }

  private flush(): void {
    if (!this.buf.length) return;
    const b = Buffer.from(this.buf.join(""), "utf8");
    this.buf = [];
    this.bufLen = 0;
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off, b.length - off);
  }

  /**
   * Writes `{...head, entries: [...]}` as JSON to a temp file renamed to `target` (same bytes as JSON.stringify
   * of the whole manifest), streaming the spilled entries.
   */
  write(target: string, head: Record<string, unknown>): void {
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
    const late = this.late.filter((x) => !this.dropped.has(x.seq)).sort((a, b) => a.seq - b.seq);
    let li = 0;
    const opening = JSON.stringify({ ...head, entries: [] });
    const tmp = `${target}.tmp-${process.pid}`;
    const out = openSync(tmp, "w", 0o644);
    try {
      let pending: string[] = [opening.slice(0, -2)];
      let pendingLen = 0;
      let first = true;
      const emit = (json: string) => {
        pending.push(first ? json : `,${json}`);
        first = false;
        pendingLen += json.length + 1;
        if (pendingLen >= FLUSH) {
          writeAll(out, Buffer.from(pending.join(""), "utf8"));
          pending = [];
          pendingLen = 0;
        }
      };
      for (const line of readLines(this.file)) {
        const tab = line.indexOf("\t");
        const seq = Number(line.slice(0, tab));
        while (li < late.length && late[li].seq < seq) emit(late[li++].json);
        if (!this.dropped.has(seq)) emit(line.slice(tab + 1));
      }
      while (li < late.length) emit(late[li++].json);
      pending.push("]}");
      writeAll(out, Buffer.from(pending.join(""), "utf8"));
    } finally {
      closeSync(out);
    }
    renameSync(tmp, target);
    this.remove();
  }

  /** Removes the spill file (after `write`, or when the unpack failed). */
  remove(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    rmSync(this.file, { force: true });
  }
}

function writeAll(fd: number, b: Buffer): void {
  let off = 0;
  while (off < b.length) off += writeSync(fd, b, off, b.length - off);
}

/** Lines of a file read in 1 MiB pieces (the file is ours: UTF-8, "\n"-terminated lines). */
function* readLines(file: string): Generator<string> {
  const fd = openSync(file, "r");
  try {
    const chunk = Buffer.allocUnsafe(FLUSH);
    let rest = Buffer.alloc(0);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const data = rest.length ? Buffer.concat([rest, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
        yield data.toString("utf8", start, nl);
        start = nl + 1;
      }
      rest = Buffer.from(data.subarray(start));
    }
  } finally {
    closeSync(fd);
  }
}
