import { listPendingChangesRoute } from "@/lib/api/contracts/changes";
import { handle } from "@/lib/api/handle";
import { listPendingChanges } from "@/lib/changes/list-pending-changes";

// GET /api/changes – pending changes of the unpacked images
export const GET = handle(listPendingChangesRoute, async ({ query, req }) => ({
  images: await listPendingChanges({ image: query.image, signal: req.signal }),
}));
