import { getRequestRoute, updateRequestRoute } from "@/lib/api/contracts/requests";
import { handle } from "@/lib/api/handle";
import { getRequest, updateRequest } from "@/lib/requests/requests";
import type { RequestState } from "@/lib/requests/state-machine";

// GET /api/requests/{id} – one request with its items, comments and timeline
export const GET = handle(getRequestRoute, async ({ params, user }) => {
  const r = await getRequest(params.id, user);
  return { ...r, state: r.state as RequestState, events: r.events, comments: r.comments };
});

// PUT /api/requests/{id} – the author recaptures it as a new revision
export const PUT = handle(updateRequestRoute, async ({ params, body, user }) => {
  const r = await updateRequest({ id: params.id, user, ...body });
  return { id: r.id, state: r.state as RequestState, revision: r.revision };
});
