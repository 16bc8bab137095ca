import { loginRoute } from "@/lib/api/contracts/auth";
import { handle } from "@/lib/api/handle";
import { login } from "@/lib/auth/login";
import { sessionCookie } from "@/lib/auth/session";

// POST /api/auth/login – check the password (throttled) and set the session cookie
export const POST = handle(loginRoute, async ({ body, ip }) => {
  const { user, token, expiresAt } = await login({ ...body, ip });
  return Response.json({ user, expiresAt }, { headers: { "set-cookie": sessionCookie(token, expiresAt) } });
});
