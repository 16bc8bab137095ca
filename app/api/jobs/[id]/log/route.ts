import { getJobLogRoute } from "@/lib/api/contracts/jobs";
import { handle } from "@/lib/api/handle";
import { getJobLog, getJobOrThrow } from "@/lib/db/jobs";

// GET /api/jobs/{id}/log – stored log lines (scripts; the UI replays over Socket.IO)
export const GET = handle(getJobLogRoute, async ({ params, query }) => {
  await getJobOrThrow(params.id);
  return { lines: await getJobLog({ jobId: params.id, ...query }) };
});
