import { type APIRequestContext, type APIResponse, expect } from "@playwright/test";

export type JobEnd = "succeeded" | "failed" | "cancelled" | "interrupted";
const ENDS = new Set<string>(["succeeded", "failed", "cancelled", "interrupted"]);
type Job = { id: string; state: string; error: string | null; [k: string]: unknown };

/** The job id of an answer that started a job (202). */
export async function startedJob(res: APIResponse): Promise<string> {
  expect(res.status(), await res.text()).toBe(202);
  return (await res.json()).jobId;
}

/**
 * Waits for job `job` (an id, or the 202 answer that started it) to end, then checks it ended in `state`
 * and returns it. Waiting for any end first means a failure names the state the job really ended in and
 * its error, instead of timing out on a state that never comes.
 */
export async function waitForJob(
  api: APIRequestContext,
  job: string | APIResponse,
  o: { state?: JobEnd; timeout?: number } = {},
): Promise<Job> {
  const id = typeof job === "string" ? job : await startedJob(job);
  let last: Job | undefined;
  await expect
    .poll(
      async () => {
        last = (await (await api.get(`/api/jobs/${id}`)).json()) as Job;
        return ENDS.has(last.state);
      },
      { timeout: o.timeout ?? 60_000, message: `job ${id} did not end` },
    )
    .toBe(true);
  expect(last!.state, `job ${id} (${last!.type}) ended ${last!.state}: ${last!.error ?? ""}`).toBe(o.state ?? "succeeded");
  return last!;
}
