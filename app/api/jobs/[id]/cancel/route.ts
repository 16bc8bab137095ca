import { cancelJobRoute } from "@/lib/api/contracts/jobs";
import { handle } from "@/lib/api/handle";
import { cancelJob } from "@/lib/jobs/cancel-job";

// POST /api/jobs/{id}/cancel – ask a running job to stop
export const POST = handle(cancelJobRoute, async ({ user, params }) => cancelJob({ id: params.id, user }));
