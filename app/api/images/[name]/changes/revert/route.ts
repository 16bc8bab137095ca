import { revertChangeRoute } from "@/lib/api/contracts/review";
import { handle } from "@/lib/api/handle";
import { revertChange } from "@/lib/review/revert-change";

// POST /api/images/{name}/changes/revert – put one path back as in the pristine image
export const POST = handle(revertChangeRoute, async ({ params, body, user }) =>
  revertChange({ image: params.name, path: body.path, user }),
);
