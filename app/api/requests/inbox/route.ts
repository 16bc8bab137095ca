import { requestInboxRoute } from "@/lib/api/contracts/requests";
import { handle } from "@/lib/api/handle";
import { waitingFor } from "@/lib/requests/requests";

// GET /api/requests/inbox – what waits for the signed-in user (the navigation's count)
export const GET = handle(requestInboxRoute, async ({ user }) => waitingFor(user));
