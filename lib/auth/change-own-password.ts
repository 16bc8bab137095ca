import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { endSockets } from "@/lib/realtime/io-registry";
import { hashPassword, verifyPassword } from "./hash-password";
import { removeInitialAdminPassword } from "./initial-admin-password";
import { checkLoginThrottle, clearLoginFailures, recordLoginFailure } from "./login-throttle";
import { type SessionUser, tokenId } from "./session";

/**
 * A signed-in user sets a new password for themselves. The current password is asked for, and wrong
 * answers count like failed logins (a session left open on a shared screen must not allow guessing it).
 * The user's other sessions end; the one making the change stays signed in.
 */
export async function changeOwnPassword(o: {
  user: SessionUser;
  current: string;
  next: string;
  sessionToken?: string;
  ip?: string;
}): Promise<void> {
  await checkLoginThrottle(o.user.username, o.ip);
  const row = await prisma.user.findUnique({ where: { id: o.user.id } });
  if (!row || row.disabled) throw new AppError("unauthenticated", "Not signed in or the account is disabled; sign in again.");
  if (!(await verifyPassword(o.current, row.passwordHash))) {
    await recordLoginFailure(o.user.username, o.ip);
    await prisma.$transaction((tx) =>
      recordAudit(tx, {
        user: o.user,
        action: "user.password.own",
        outcome: "denied",
        detail: { ip: o.ip, reason: "wrong current password" },
      }),
    );
    throw new AppError("unprocessable", "The current password is not right; nothing was changed.");
  }
  if (o.next === o.current) throw new AppError("unprocessable", "The new password is the current one; choose another.");
  await clearLoginFailures(o.user.username, o.ip);
  const passwordHash = await hashPassword(o.next);
  const keep = o.sessionToken ? tokenId(o.sessionToken) : undefined;
  const ended = await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: o.user.id }, data: { passwordHash } });
    const others = await tx.session.findMany({
      where: { userId: o.user.id, ...(keep ? { id: { not: keep } } : {}) },
      select: { id: true },
    });
    await tx.session.deleteMany({ where: { id: { in: others.map((s) => s.id) } } });
    await recordAudit(tx, { user: o.user, action: "user.password.own", target: o.user.username, outcome: "ok", detail: { ip: o.ip } });
    return others.map((s) => s.id);
  });
  // The other sessions' open sockets go at once, like their sessions.
  for (const sessionId of ended) endSockets({ sessionId });
  // The generated first password is void once changed: its file goes.
  if (o.user.username === "admin" && removeInitialAdminPassword(env().dataDir))
    console.log("removed the initial admin password file (the password was changed)");
}
