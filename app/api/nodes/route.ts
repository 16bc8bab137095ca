import { listNodesRoute } from "@/lib/api/contracts/nodes";
import { handle } from "@/lib/api/handle";
import { listAllNodes } from "@/lib/nodes/node-actions";

// GET /api/nodes – test hosts, xCAT nodes and groups, deploy settings
export const GET = handle(listNodesRoute, async () => listAllNodes());
