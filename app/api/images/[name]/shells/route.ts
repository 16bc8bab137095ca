import { openShellRoute } from "@/lib/api/contracts/commands";
import { handle } from "@/lib/api/handle";
import { openShell } from "@/lib/commands/shell-session";

// POST /api/images/{name}/shells – open an interactive shell in the image (Socket.IO room shell:<id>)
export const POST = handle(openShellRoute, async ({ params, body, user }) => openShell({ image: params.name, user, ...body }));
