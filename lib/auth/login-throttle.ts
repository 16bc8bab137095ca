import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";

/**
 * Failed logins are counted in a sliding window under three keys, and past a limit the login is answered 429
 * (even with the right password) until old failures leave the window:
 * - per account and address: one address guessing one account's password;
 * - per address: one address trying many accounts;
 * - per account, from any address: a guess spread over many addresses. This one applies only to addresses
 *   that themselves failed on the account within the window.
 * So nobody can lock an account out: a correct password from an address that has not failed always signs in
 * (an attacker who fails from everywhere slows only themselves).
 */
export const THROTTLE = { windowMs: 10 * 60_000, perUserAddress: 5, perIp: 20, perUser: 50 } as const;

const userKey = (username: string) => `user:${username.toLowerCase()}`;
const pairKey = (username: string, ip: string) => `user-ip:${username.toLowerCase()}|${ip}`;
const ipKey = (ip: string) => `ip:${ip}`;

async function recent(key: string, limit: number, since: Date): Promise<Date[]> {
  const rows = await prisma.loginFailure.findMany({
    where: { key, at: { gt: since } },
    orderBy: { at: "desc" },
    take: limit,
    select: { at: true },
  });
  return rows.map((r) => r.at);
}

/** Throws 429 (with retryAfterSeconds) when this address may not try this account now; audits the refusal. */
export async function checkLoginThrottle(username: string, ip: string | undefined): Promise<void> {
  const since = new Date(Date.now() - THROTTLE.windowMs);
  const address = ip || "unknown";
  const pair = await recent(pairKey(username, address), THROTTLE.perUserAddress, since);
  const checks: { why: string; hits: Date[]; limit: number }[] = [
    { why: "this address failed too often on this account", hits: pair, limit: THROTTLE.perUserAddress },
    { why: "this address failed too often", hits: ip ? await recent(ipKey(ip), THROTTLE.perIp, since) : [], limit: THROTTLE.perIp },
  ];
  if (pair.length > 0)
    checks.push({
      why: "this account is being guessed from many addresses",
      hits: await recent(userKey(username), THROTTLE.perUser, since),
      limit: THROTTLE.perUser,
    });
  for (const { why, hits, limit } of checks) {
    if (hits.length < limit) continue;
    const oldest = hits[hits.length - 1].getTime();
    const retryAfterSeconds = Math.max(1, Math.ceil((oldest + THROTTLE.windowMs - Date.now()) / 1000));
    console.warn(`login throttled: user "${username.slice(0, 64)}" from ${address}: ${why} (retry in ${retryAfterSeconds} s)`);
    await prisma.$transaction((tx) =>
      recordAudit(tx, {
        user: { username: username.slice(0, 64) },
        action: "auth.throttled",
        outcome: "denied",
        detail: { ip: address, reason: why, retryAfterSeconds },
      }),
    );
    throw new AppError("rate_limited", `Too many failed logins; try again in ${retryAfterSeconds} s.`, { details: { retryAfterSeconds } });
  }
}

export async function recordLoginFailure(username: string, ip: string | undefined): Promise<void> {
  const address = ip || "unknown";
  const keys = [userKey(username), pairKey(username, address), ...(ip ? [ipKey(ip)] : [])];
  await prisma.loginFailure.createMany({ data: keys.map((key) => ({ key })) });
  // Keep the table small: nothing outside the window matters any more.
  await prisma.loginFailure.deleteMany({ where: { at: { lt: new Date(Date.now() - THROTTLE.windowMs) } } });
}

/** After a successful login: this address's failures on the account are forgiven (not other addresses'). */
export async function clearLoginFailures(username: string, ip: string | undefined): Promise<void> {
  await prisma.loginFailure.deleteMany({ where: { key: pairKey(username, ip || "unknown") } });
}
