import { requestContentRoute } from "@/lib/api/contracts/requests";
import { handle } from "@/lib/api/handle";
import { getItemContent } from "@/lib/requests/requests";

// GET /api/requests/{id}/content?path=&revision= – both sides of a text change as captured
export const GET = handle(requestContentRoute, async ({ params, query, user }) =>
  getItemContent(params.id, query.revision, query.path, user),
);
