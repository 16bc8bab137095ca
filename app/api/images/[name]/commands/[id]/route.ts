import { getCommandRoute } from "@/lib/api/contracts/commands";
import { handle } from "@/lib/api/handle";
import { getCommandRunOrThrow, toCommandRunDetailDto } from "@/lib/db/command-runs";

// GET /api/images/{name}/commands/{id} – one run with output and effect
export const GET = handle(getCommandRoute, async ({ params }) => toCommandRunDetailDto(await getCommandRunOrThrow(params.name, params.id)));
