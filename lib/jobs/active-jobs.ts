import type { JobLogWriter } from "./job-log-writer";

/** A job running in this process. */
export type ActiveJob = {
  id: string;
  ownerId: string | null;
  controller: AbortController;
  log: JobLogWriter;
  /** settles when the job reached its final state (tests and shutdown wait on it) */
  finished: Promise<void>;
};

// On globalThis: route handlers (bundled by Next) and server.ts (loaded by tsx) hold separate copies of
// this module, and both must see the same running jobs.
const g = globalThis as unknown as { rootimgActiveJobs?: Map<string, ActiveJob>; rootimgSoleJobs?: Set<string> };

export const activeJobs: Map<string, ActiveJob> = (g.rootimgActiveJobs ??= new Map());
/** Types of `sole` jobs (startJob) running or being created now. */
export const soleJobTypes: Set<string> = (g.rootimgSoleJobs ??= new Set());
