import { updatePresenceRoute } from "@/lib/api/contracts/files";
import { handle } from "@/lib/api/handle";
import { leavePresence, updatePresence } from "@/lib/files/presence";

// POST /api/images/{name}/files/presence – heartbeat with the files this tab has open
export const POST = handle(updatePresenceRoute, async ({ user, params, body }) => ({
  users: body.leave
    ? leavePresence({ image: params.name, user, clientId: body.clientId })
    : updatePresence({ image: params.name, user, clientId: body.clientId, files: body.files, socketId: body.socketId }),
}));
