import { transitionRequestRoute } from "@/lib/api/contracts/requests";
import { handle } from "@/lib/api/handle";
import { transition } from "@/lib/requests/requests";
import type { RequestState } from "@/lib/requests/state-machine";

// POST /api/requests/{id}/transition – submit, approve, request changes, abandon
export const POST = handle(transitionRequestRoute, async ({ params, body, user }) => {
  const r = await transition({ id: params.id, action: body.action, comment: body.comment, user });
  return { id: r.id, state: r.state as RequestState };
});
