import { createRequestRoute, listRequestsRoute } from "@/lib/api/contracts/requests";
import { handle } from "@/lib/api/handle";
import { createRequest, listRequests } from "@/lib/requests/requests";
import type { RequestState } from "@/lib/requests/state-machine";

// GET /api/requests – change requests, newest first
export const GET = handle(listRequestsRoute, async ({ query }) => ({ requests: await listRequests(query) }));

// POST /api/requests – bundle pending changes into a request (captured now)
export const POST = handle(createRequestRoute, async ({ body, user }) => {
  const r = await createRequest({ ...body, user });
  return { id: r.id, state: r.state as RequestState };
});
