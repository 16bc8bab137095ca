import { getJobRoute } from "@/lib/api/contracts/jobs";
import { handle } from "@/lib/api/handle";
import { getJobOrThrow } from "@/lib/db/jobs";

// GET /api/jobs/{id} – one job
export const GET = handle(getJobRoute, async ({ params }) => getJobOrThrow(params.id));
