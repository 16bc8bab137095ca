import type { JobLogWriter } from "./job-log-writer";

/** A job running in this process. */
export type ActiveJob = {
  id: string;
  ownerId: string | null;
  key?: string;
  controller: AbortController;
  log: JobLogWriter;
  /** settles when the job reached its final state (tests and shutdown wait on it) */
  finished: Promise<void>;
};

// On globalThis: route handlers (bundled by Next) and server.ts (loaded by tsx) hold separate copies of
// this module, and both must see the same running jobs and held keys.
const g = globalThis as unknown as { rootimgJobs?: { byId: Map<string, ActiveJob>; keys: Map<string, string> } };
g.rootimgJobs ??= { byId: new Map(), keys: new Map() };

export const activeJobs = g.rootimgJobs.byId;
/** key → id of the job holding it */
export const heldKeys = g.rootimgJobs.keys;
