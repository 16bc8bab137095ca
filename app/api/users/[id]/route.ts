import { updateUserRoute } from "@/lib/api/contracts/users";
import { handle } from "@/lib/api/handle";
import { updateUser } from "@/lib/db/users";

// PATCH /api/users/{id} – change role, disable or enable
export const PATCH = handle(updateUserRoute, async ({ user, params, body }) => updateUser({ actor: user, id: params.id, ...body }));
