import type { JobDto } from "@/lib/api/contracts/jobs";
import { hasRole } from "@/lib/auth/roles";
import type { SessionUser } from "@/lib/auth/session";
import { getJobOrThrow } from "@/lib/db/jobs";
import { AppError } from "@/lib/errors";
import { activeJobs } from "./active-jobs";

/**
 * Asks a running job to stop (aborts its signal). The state becomes `cancelled` once `run` has returned,
 * so the job's own clean-up is finished when clients see it. Its owner, a reviewer or an admin may cancel.
 */
export async function cancelJob({ id, user }: { id: string; user: SessionUser }): Promise<JobDto> {
  const job = await getJobOrThrow(id);
  const active = activeJobs.get(id);
  if (!active) throw new AppError("conflict", `Job ${id} is ${job.state}; only a queued or running job can be cancelled.`);
  if (active.ownerId !== user.id && !hasRole(user, "reviewer")) {
    throw new AppError("forbidden", `Only ${job.ownerName}, a reviewer or an admin may cancel job ${id}.`);
  }
  if (!active.controller.signal.aborted) {
    active.controller.abort(new Error(`cancelled by ${user.username}`));
    active.log.add(`cancel requested by ${user.username}`, "info");
  }
  return job;
}
