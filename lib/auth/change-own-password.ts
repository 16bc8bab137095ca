import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { hashPassword, verifyPassword } from "./hash-password";
import { checkLoginThrottle, clearLoginFailures, recordLoginFailure } from "./login-throttle";
import { type SessionUser, tokenId } from "./session";

/**
 * A signed-in user sets a new password for themselves. The current password is asked for, and wrong
 * answers count like failed logins (a session left open on a shared screen must not allow guessing it).
 * The user's other sessions end; the one making the change stays signed in.
 */
export async function changeOwnPassword(o: { user: SessionUser; current: string; next: string; sessionToken?: string; ip?: string }): Promise<void> {
  await checkLoginThrottle(o.user.username, o.ip);
  const row = await prisma.user.findUnique({ where: { id: o.user.id } });
  if (!row || row.disabled) throw new AppError("unauthenticated", "Not signed in or the account is disabled; sign in again.");
  if (!(await verifyPassword(o.current, row.passwordHash))) {
    await recordLoginFailure(o.user.username, o.ip);
    await prisma.$transaction((tx) => recordAudit(tx, { user: o.user, action: "user.password.own", outcome: "denied", detail: { ip: o.ip, reason: "wrong current password" } }));
    throw new AppError("unprocessable", "The current password is not right; nothing was changed.");
  }
  if (o.next === o.current) throw new AppError("unprocessable", "The new password is the current one; choose another.");
  await clearLoginFailures(o.user.username);
  const passwordHash = await hashPassword(o.next);
  const keep = o.sessionToken ? tokenId(o.sessionToken) : undefined;
  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: o.user.id }, data: { passwordHash } });
    await tx.session.deleteMany({ where: { userId: o.user.id, ...(keep ? { id: { not: keep } } : {}) } });
    await recordAudit(tx, { user: o.user, action: "user.password.own", target: o.user.username, outcome: "ok", detail: { ip: o.ip } });
  });
}
