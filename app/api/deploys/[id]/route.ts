import { getDeployRoute } from "@/lib/api/contracts/nodes";
import { handle } from "@/lib/api/handle";
import { getJobOrThrow } from "@/lib/db/jobs";
import { listDeployTargets } from "@/lib/deploy/start-deploy";

// GET /api/deploys/{id} – the nodes of a deploy job
export const GET = handle(getDeployRoute, async ({ params }) => {
  await getJobOrThrow(params.id);
  return { targets: await listDeployTargets(params.id) };
});
