import { activeJobs } from "./active-jobs";

/** The abort reason used at shutdown: such jobs end as `interrupted`, not `cancelled`. */
export class ServerStoppingError extends Error {
  constructor() {
    super("the server is stopping");
    this.name = "ServerStoppingError";
  }
}

/**
 * At shutdown (SIGTERM/SIGINT): aborts every running job and waits up to `graceMs` for them to clean up and
 * record `interrupted`. Jobs still running after that are caught by interruptStaleJobs at the next start.
 */
export async function stopAllJobs(graceMs = 5000): Promise<number> {
  const jobs = [...activeJobs.values()];
  for (const j of jobs) if (!j.controller.signal.aborted) j.controller.abort(new ServerStoppingError());
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(jobs.map((j) => j.finished)),
    new Promise((resolve) => {
      timer = setTimeout(resolve, graceMs);
    }),
  ]);
  clearTimeout(timer);
  return jobs.length;
}
