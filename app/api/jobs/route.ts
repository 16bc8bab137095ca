import { listJobsRoute } from "@/lib/api/contracts/jobs";
import { handle } from "@/lib/api/handle";
import { listJobs } from "@/lib/db/jobs";

// GET /api/jobs – jobs, newest first
export const GET = handle(listJobsRoute, async ({ query }) => ({ jobs: await listJobs(query) }));
