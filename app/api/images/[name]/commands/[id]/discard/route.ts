import { discardCommandRoute } from "@/lib/api/contracts/commands";
import { handle } from "@/lib/api/handle";
import { discardCommand } from "@/lib/commands/apply-run";
import { toCommandRunDetailDto } from "@/lib/db/command-runs";

// POST /api/images/{name}/commands/{id}/discard – drop the run's effect
export const POST = handle(discardCommandRoute, async ({ params, user }) =>
  toCommandRunDetailDto(await discardCommand({ image: params.name, id: params.id, user })),
);
