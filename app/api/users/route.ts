import { createUserRoute, listUsersRoute } from "@/lib/api/contracts/users";
import { handle } from "@/lib/api/handle";
import { createUser, listUsers } from "@/lib/db/users";

// GET /api/users – list accounts
export const GET = handle(listUsersRoute, async () => ({ users: await listUsers() }));

// POST /api/users – create an account
export const POST = handle(createUserRoute, async ({ user, body }) => createUser({ actor: user, ...body }));
