import { nodesetRoute } from "@/lib/api/contracts/nodes";
import { handle } from "@/lib/api/handle";
import { nodesetNodes } from "@/lib/nodes/node-actions";

// POST /api/nodes/nodeset – nodeset NODES osimage=IMAGE, a result per node
export const POST = handle(nodesetRoute, async ({ user, body }) => nodesetNodes(user, body.nodes, body.image));
