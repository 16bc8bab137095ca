import { revertAllChangesRoute } from "@/lib/api/contracts/review";
import { handle } from "@/lib/api/handle";
import { pendingChangesOf } from "@/lib/changes/list-pending-changes";
import { AppError } from "@/lib/errors";
import { revertAll } from "@/lib/review/revert-change";

// POST /api/images/{name}/changes/revert-all – revert every pending change of the image
export const POST = handle(revertAllChangesRoute, async ({ params, user, req }) => {
  const pending = await pendingChangesOf(params.name, req.signal);
  if (!pending.compared) throw new AppError("conflict", pending.error ?? `${params.name} has no pristine state to revert to.`);
  return { reverted: await revertAll({ image: params.name, user, paths: pending.changes.map((c) => c.path) }) };
});
