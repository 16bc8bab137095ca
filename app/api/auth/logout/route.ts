import { logoutRoute } from "@/lib/api/contracts/auth";
import { handle } from "@/lib/api/handle";
import { recordAudit } from "@/lib/audit/record-audit";
import { clearedSessionCookie, deleteSession, readSessionToken } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";

// POST /api/auth/logout – end the session and clear the cookie
export const POST = handle(logoutRoute, async ({ user, req }) => {
  await deleteSession(readSessionToken(req.headers.get("cookie")));
  await prisma.$transaction((tx) => recordAudit(tx, { user, action: "auth.logout", outcome: "ok" }));
  return new Response(null, { status: 204, headers: { "set-cookie": clearedSessionCookie() } });
});
