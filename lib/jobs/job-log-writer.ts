import type { JobLogLine } from "@/lib/api/contracts/jobs";
import { prisma } from "@/lib/db/client";
import { room } from "@/lib/realtime/events";
import { emitTo } from "@/lib/realtime/io-registry";
import { toWire } from "@/lib/realtime/to-wire";
import type { LogStream } from "./job-types";

const MAX_LINE = 4000;
const MAX_LINES = 50_000;
const FLUSH_MS = 250;
const EMIT_MS = 100;

/**
 * Buffers a job's log lines: emitted to `job:<id>` in batches every 100 ms, written to JobLog every 250 ms.
 * Lines not yet written are still served to joining clients (`pending()`), so a replay never has a gap.
 */
export class JobLogWriter {
  private seq = 0;
  private unsaved: JobLogLine[] = [];
  private unsent: JobLogLine[] = [];
  /** handed to the database but not committed yet */
  private inFlight: JobLogLine[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private emitTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly jobId: string) {}

  add(text: string, stream: LogStream = "info"): void {
    for (const raw of text.replace(/\r?\n$/, "").split(/\r?\n/)) {
      if (this.seq > MAX_LINES) return;
      const line = this.seq === MAX_LINES ? `… log truncated after ${MAX_LINES} lines` : raw.slice(0, MAX_LINE);
      const entry: JobLogLine = { seq: ++this.seq, at: new Date(), stream, line };
      this.unsaved.push(entry);
      this.unsent.push(entry);
    }
    this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
    this.emitTimer ??= setTimeout(() => this.emit(), EMIT_MS);
  }

  /**
   * Lines accepted but maybe not yet committed. A replay takes this snapshot BEFORE reading the database:
   * every older line is then either committed or in the snapshot (duplicates are fine: clients dedupe by seq).
   */
  pending(): JobLogLine[] {
    return [...this.inFlight, ...this.unsaved];
  }

  private emit(): void {
    clearTimeout(this.emitTimer);
    this.emitTimer = undefined;
    if (this.unsent.length === 0) return;
    emitTo(room.job(this.jobId), "job:log", { id: this.jobId, lines: toWire(this.unsent) });
    this.unsent = [];
  }

  /** Writes everything buffered (serialised: one write at a time, in order). */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.unsaved;
    this.unsaved = [];
    this.inFlight.push(...batch);
    this.writing = this.writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await prisma.jobLog.createMany({ data: batch.map((l) => ({ jobId: this.jobId, ...l })) });
      } catch (e) {
        console.error(`job ${this.jobId}: could not store ${batch.length} log lines`, e);
      } finally {
        this.inFlight.splice(0, batch.length);
      }
    });
    return this.writing;
  }

  /** Sends and stores everything; call before the final state is published. */
  async close(): Promise<void> {
    this.emit();
    await this.flush();
  }
}
