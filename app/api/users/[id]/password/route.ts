import { resetPasswordRoute } from "@/lib/api/contracts/users";
import { handle } from "@/lib/api/handle";
import { resetPassword } from "@/lib/db/users";

// POST /api/users/{id}/password – set a new password
export const POST = handle(resetPasswordRoute, async ({ user, params, body }) => {
  await resetPassword({ actor: user, id: params.id, password: body.password });
});
