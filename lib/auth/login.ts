import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { dummyHash, verifyPassword } from "./hash-password";
import { checkLoginThrottle, clearLoginFailures, recordLoginFailure } from "./login-throttle";
import type { Role } from "./roles";
import { createSession, type SessionUser } from "./session";

export type LoginOptions = { username: string; password: string; ip?: string };
export type LoginResult = { user: SessionUser; token: string; expiresAt: Date };

/** Checks the throttle, then the password; on success opens a session. Failures are audited. */
export async function login({ username, password, ip }: LoginOptions): Promise<LoginResult> {
  await checkLoginThrottle(username, ip);
  const user = await prisma.user.findUnique({ where: { username } });
  // Verify against a dummy hash for unknown users so timing does not tell which names exist.
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
  if (!user || !ok || user.disabled) {
    await recordLoginFailure(username, ip);
    await prisma.$transaction((tx) =>
      recordAudit(tx, {
        user: user ? { id: user.id, username: user.username } : { username },
        action: "auth.login",
        outcome: "denied",
        detail: { ip, reason: !user || !ok ? "bad credentials" : "account disabled" },
      }),
    );
    throw new AppError("unauthenticated", "Wrong user name or password, or the account is disabled.");
  }
  await clearLoginFailures(username, ip);
  const { token, expiresAt } = await createSession(user.id);
  const sessionUser: SessionUser = { id: user.id, username: user.username, role: user.role as Role };
  await prisma.$transaction((tx) => recordAudit(tx, { user: sessionUser, action: "auth.login", outcome: "ok", detail: { ip } }));
  return { user: sessionUser, token, expiresAt };
}
