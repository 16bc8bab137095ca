import type { JobState } from "@/lib/api/contracts/jobs";
import type { ExclusiveHold } from "@/lib/images/image-gate";

export type { JobState };
export type LogStream = "stdout" | "stderr" | "info";

/** Who started a job. */
export type JobUser = { id: string; username: string } | null;

/** What a job's `run` gets. */
export type JobContext = {
  jobId: string;
  /** aborted when the job is cancelled: pass it to spawn/streams and stop soon after */
  signal: AbortSignal;
  /** report progress in the job's unit; cheap to call often (DB writes and emits are throttled) */
  progress(done: number, total?: number): void;
  /** one line (or several, split on newlines) for the job log */
  log(line: string, stream?: LogStream): void;
  /** a short status text shown next to the progress bar */
  message(text: string): void;
  /** a file or directory removed when the job ends or when the server finds it interrupted at start-up;
   * await it BEFORE creating the path, so a crash in between cannot leave it unrecorded */
  addTempPath(p: string): Promise<void>;
  /** Runs `fn` without xCAT's image lock (packimage takes it itself), taking it again after; plain `fn()` for a job without a hold. */
  withoutXcatLock<T>(fn: () => Promise<T>): Promise<T>;
};

export type StartJobOptions<R> = {
  /** dotted verb, also the audit action: `image.unpack`, `image.pack`, `maintenance.backup` */
  type: string;
  user: JobUser;
  image?: string;
  node?: string;
  /** unit of done/total: bytes, entries, files, steps */
  unit: string;
  total?: number;
  /** JSON-able parameters, shown with the job and stored in the audit log */
  params?: unknown;
  /** at most one job of this type at a time (a second start gets 409), e.g. the database backup */
  sole?: boolean;
  /** the exclusive hold of an image (lib/images/image-gate.ts reserveExclusive) the job runs under */
  hold?: ExclusiveHold;
  /** the work; its return value is stored as the job's result */
  run(ctx: JobContext): Promise<R>;
};
