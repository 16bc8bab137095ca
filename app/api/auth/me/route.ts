import { meRoute } from "@/lib/api/contracts/auth";
import { handle } from "@/lib/api/handle";

// GET /api/auth/me – the signed-in user
export const GET = handle(meRoute, async ({ user }) => user);
