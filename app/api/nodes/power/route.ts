import { powerNodesRoute } from "@/lib/api/contracts/nodes";
import { handle } from "@/lib/api/handle";
import { powerNodes } from "@/lib/nodes/node-actions";

// POST /api/nodes/power – rpower (or ssh reboot) on xCAT nodes, a result per node
export const POST = handle(powerNodesRoute, async ({ user, body }) => powerNodes(user, body.nodes, body.action));
