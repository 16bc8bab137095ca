import { createHash, randomBytes } from "node:crypto";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { endSockets } from "@/lib/realtime/io-registry";
import type { Role } from "./roles";

export const SESSION_COOKIE = "rootimg_session";

/** The signed-in user as every handler sees it (never the password hash). */
export type SessionUser = { id: string; username: string; role: Role };

// The cookie holds a random token; the database only its sha256, so a copied database opens no sessions.
export function tokenId(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function createSession(userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + env().SESSION_TTL_HOURS * 3600_000);
  await prisma.session.create({ data: { id: tokenId(token), userId, expiresAt } });
  return { token, expiresAt };
}

/** The user behind a session token, or null if the token is unknown, expired or the account disabled. */
export async function getSessionUser(token: string | undefined | null): Promise<SessionUser | null> {
  if (!token) return null;
  const id = tokenId(token);
  const s = await prisma.session.findUnique({ where: { id }, include: { user: true } });
  if (!s) return null;
  if (s.expiresAt.getTime() <= Date.now() || s.user.disabled) {
    await prisma.session.deleteMany({ where: { id } });
    return null;
  }
  // Fixed expiry (the cookie carries the same one); lastSeenAt is written at most once a minute.
  if (Date.now() - s.lastSeenAt.getTime() > 60_000) {
    await prisma.session.update({ where: { id }, data: { lastSeenAt: new Date() } });
  }
  return { id: s.user.id, username: s.user.username, role: s.user.role as Role };
}

/** Sign-out: the session row goes and every socket opened with it is disconnected at once. */
export async function deleteSession(token: string | undefined | null): Promise<void> {
  if (!token) return;
  await prisma.session.deleteMany({ where: { id: tokenId(token) } });
  endSockets({ sessionId: tokenId(token) });
}

/** Set-Cookie value: HttpOnly (no script access), SameSite=Strict (no cross-site sends), Secure under HTTPS. */
export function sessionCookie(token: string, expiresAt: Date): string {
  const parts = [`${SESSION_COOKIE}=${token}`, "Path=/", "HttpOnly", "SameSite=Strict", `Expires=${expiresAt.toUTCString()}`];
  if (env().https) parts.push("Secure");
  return parts.join("; ");
}

export function clearedSessionCookie(): string {
  const parts = [`${SESSION_COOKIE}=`, "Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=0"];
  if (env().https) parts.push("Secure");
  return parts.join("; ");
}

/** The session token from a Cookie header. */
export function readSessionToken(cookieHeader: string | null | undefined): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === SESSION_COOKIE) return v.join("=") || undefined;
  }
  return undefined;
}

/** Deletes expired sessions (run at start-up and hourly: expired rows are otherwise removed only when used). */
export async function purgeExpiredSessions(): Promise<number> {
  const r = await prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  return r.count;
}
