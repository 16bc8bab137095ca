import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";

/**
 * Failed logins are counted per user name and per client address in a sliding window. Past the limit every
 * attempt (even with the right password) gets 429 until old failures leave the window: guessing stays slow
 * and a locked account unlocks by itself.
 */
export const THROTTLE = { windowMs: 10 * 60_000, perUser: 5, perIp: 20 } as const;

function keys(username: string, ip: string | undefined): { key: string; limit: number }[] {
  const out: { key: string; limit: number }[] = [{ key: `user:${username.toLowerCase()}`, limit: THROTTLE.perUser }];
  if (ip) out.push({ key: `ip:${ip}`, limit: THROTTLE.perIp });
  return out;
}

/** Throws 429 (with retryAfterSeconds) when the user or the address has too many recent failures. */
export async function checkLoginThrottle(username: string, ip: string | undefined): Promise<void> {
  const since = new Date(Date.now() - THROTTLE.windowMs);
  for (const { key, limit } of keys(username, ip)) {
    const recent = await prisma.loginFailure.findMany({
      where: { key, at: { gt: since } },
      orderBy: { at: "desc" },
      take: limit,
      select: { at: true },
    });
    if (recent.length >= limit) {
      const oldest = recent[recent.length - 1].at.getTime();
      const retryAfterSeconds = Math.max(1, Math.ceil((oldest + THROTTLE.windowMs - Date.now()) / 1000));
      throw new AppError("rate_limited", `Too many failed logins; try again in ${retryAfterSeconds} s.`, {
        details: { retryAfterSeconds },
      });
    }
  }
}

export async function recordLoginFailure(username: string, ip: string | undefined): Promise<void> {
  await prisma.loginFailure.createMany({ data: keys(username, ip).map(({ key }) => ({ key })) });
  // Keep the table small: nothing outside the window matters any more.
  await prisma.loginFailure.deleteMany({ where: { at: { lt: new Date(Date.now() - THROTTLE.windowMs) } } });
}

export async function clearLoginFailures(username: string): Promise<void> {
  await prisma.loginFailure.deleteMany({ where: { key: `user:${username.toLowerCase()}` } });
}
