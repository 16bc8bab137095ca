import { listCommandsRoute, runCommandRoute } from "@/lib/api/contracts/commands";
import { handle } from "@/lib/api/handle";
import { listCommands } from "@/lib/commands/list-commands";
import { startCommand } from "@/lib/commands/start-command";

// POST /api/images/{name}/commands – run a command line in the image (job)
export const POST = handle(runCommandRoute, async ({ params, body, user }) => {
  const { line, ...options } = body;
  return startCommand({ image: params.name, user, line, options });
});

// GET /api/images/{name}/commands – the image's command history
export const GET = handle(listCommandsRoute, async ({ params, user }) => listCommands(params.name, user));
