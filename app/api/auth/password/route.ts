import { changeOwnPasswordRoute } from "@/lib/api/contracts/auth";
import { handle } from "@/lib/api/handle";
import { changeOwnPassword } from "@/lib/auth/change-own-password";
import { readSessionToken } from "@/lib/auth/session";

// POST /api/auth/password – change your own password
export const POST = handle(changeOwnPasswordRoute, async ({ user, body, req, ip }) => {
  await changeOwnPassword({
    user,
    current: body.current,
    next: body.password,
    sessionToken: readSessionToken(req.headers.get("cookie")),
    ip,
  });
});
