import { deleteTestHostRoute, updateTestHostRoute } from "@/lib/api/contracts/nodes";
import { handle } from "@/lib/api/handle";
import { deleteTestHost, updateTestHost } from "@/lib/nodes/test-hosts";

// PUT /api/test-hosts/{name} – change a test host
export const PUT = handle(updateTestHostRoute, async ({ params, body }) => updateTestHost(params.name, body));
// DELETE /api/test-hosts/{name} – power off and delete
export const DELETE = handle(deleteTestHostRoute, async ({ params }) => {
  await deleteTestHost(params.name);
  return { deleted: params.name };
});
