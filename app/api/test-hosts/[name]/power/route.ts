import { powerTestHostRoute } from "@/lib/api/contracts/nodes";
import { handle } from "@/lib/api/handle";
import { powerTestHost } from "@/lib/nodes/node-actions";

// POST /api/test-hosts/{name}/power – on, off or reset
export const POST = handle(powerTestHostRoute, async ({ user, params, body }) => powerTestHost(user, params.name, body.action));
