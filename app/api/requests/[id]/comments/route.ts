import { commentRequestRoute } from "@/lib/api/contracts/requests";
import { handle } from "@/lib/api/handle";
import { addComment } from "@/lib/requests/requests";

// POST /api/requests/{id}/comments – on the request, a file, or a line
export const POST = handle(commentRequestRoute, async ({ params, body, user }) => addComment({ id: params.id, user, ...body }));
