import { applyCommandRoute } from "@/lib/api/contracts/commands";
import { handle } from "@/lib/api/handle";
import { applyCommand } from "@/lib/commands/apply-run";
import { toCommandRunDetailDto } from "@/lib/db/command-runs";

// POST /api/images/{name}/commands/{id}/apply – apply the run's effect to the tree
export const POST = handle(applyCommandRoute, async ({ params, user }) =>
  toCommandRunDetailDto(await applyCommand({ image: params.name, id: params.id, user })),
);
