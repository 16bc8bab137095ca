import "@/lib/db/test-database";
import { describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { createUser, updateUser } from "@/lib/db/users";
import { hashPassword, verifyPassword } from "./hash-password";
import { login } from "./login";
import { recordLoginFailure, THROTTLE } from "./login-throttle";
import { hasRole, roleBelow } from "./roles";
import { createSession, getSessionUser, readSessionToken, tokenId } from "./session";
import { makeUser } from "./test-users";

describe("passwords", () => {
  it("hashes with scrypt and a salt, and verifies only the right password", async () => {
    const a = await hashPassword("correct horse");
    const b = await hashPassword("correct horse");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse", a)).toBe(true);
    expect(await verifyPassword("correct horsf", a)).toBe(false);
    expect(await verifyPassword("x", "garbage")).toBe(false);
  });
});

describe("roles", () => {
  it("orders viewer < editor < reviewer < admin", () => {
    expect(hasRole({ role: "admin" }, "reviewer")).toBe(true);
    expect(hasRole({ role: "reviewer" }, "editor")).toBe(true);
    expect(hasRole({ role: "editor" }, "reviewer")).toBe(false);
    expect(hasRole({ role: "viewer" }, "viewer")).toBe(true);
    expect(hasRole({ role: "root" }, "viewer")).toBe(false);
    expect(hasRole(null, "viewer")).toBe(false);
    expect(roleBelow("editor")).toBe("viewer");
    expect(roleBelow("viewer")).toBeUndefined();
  });
});

describe("sessions", () => {
  it("stores only the token's sha256 and ends on expiry or when the account is disabled", async () => {
    const { user } = await makeUser("editor");
    const { token } = await createSession(user.id);
    expect(await prisma.session.findUnique({ where: { id: token } })).toBeNull();
    expect(await prisma.session.findUnique({ where: { id: tokenId(token) } })).not.toBeNull();
    expect((await getSessionUser(token))?.username).toBe(user.username);
    expect(readSessionToken(`a=b; rootimg_session=${token}; c=d`)).toBe(token);

    await prisma.session.update({ where: { id: tokenId(token) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await getSessionUser(token)).toBeNull();
    expect(await prisma.session.count({ where: { id: tokenId(token) } })).toBe(0);

    const second = await createSession(user.id);
    const { user: admin } = await makeUser("admin");
    await updateUser({ actor: admin, id: user.id, disabled: true });
    expect(await getSessionUser(second.token)).toBeNull();
  });
});

describe("login", () => {
  it("throttles with 429 after repeated failures from one address, even with the right password", async () => {
    await createUser({ actor: null, username: "target", password: "the-right-one", role: "viewer" });
    for (let i = 0; i < THROTTLE.perUserAddress; i++) {
      await expect(login({ username: "target", password: "wrong", ip: "10.0.0.1" })).rejects.toMatchObject({ code: "unauthenticated" });
    }
    await expect(login({ username: "target", password: "the-right-one", ip: "10.0.0.1" })).rejects.toMatchObject({
      code: "rate_limited",
      details: { retryAfterSeconds: expect.any(Number) },
    });
    expect(await prisma.auditLog.count({ where: { action: "auth.login", outcome: "denied", username: "target" } })).toBe(
      THROTTLE.perUserAddress,
    );
    expect(await prisma.auditLog.count({ where: { action: "auth.throttled", username: "target" } })).toBe(1);
  });

  it("anyone can lock out the admin: failures from other addresses never refuse the right password from a clean one", async () => {
    const { user: admin, password } = await makeUser("admin");
    // a few real wrong passwords, then the rest of a distributed guess recorded as login() records it
    for (let i = 0; i < THROTTLE.perUserAddress + 1; i++) {
      await expect(login({ username: admin.username, password: "guess", ip: `10.66.0.${i}` })).rejects.toMatchObject({
        code: "unauthenticated",
      });
    }
    for (let i = 0; i < THROTTLE.perUser; i++) await recordLoginFailure(admin.username, `10.66.1.${i}`);
    const ok = await login({ username: admin.username, password, ip: "192.0.2.10" });
    expect(ok.user.username).toBe(admin.username);
    // an address that took part in the guessing is slowed down on this account, even with the right password
    await expect(login({ username: admin.username, password, ip: "10.66.1.1" })).rejects.toMatchObject({ code: "rate_limited" });
  });

  it("throttles one address that tries many user names", async () => {
    for (let i = 0; i < THROTTLE.perIp; i++) {
      await expect(login({ username: `nobody${i}`, password: "x", ip: "10.9.9.9" })).rejects.toMatchObject({ code: "unauthenticated" });
    }
    await expect(login({ username: "someone-else", password: "x", ip: "10.9.9.9" })).rejects.toMatchObject({ code: "rate_limited" });
  });

  it("refuses a disabled account and keeps the last admin", async () => {
    const { user: admin } = await makeUser("admin");
    await createUser({ actor: admin, username: "gone", password: "password-1", role: "editor" });
    const gone = await prisma.user.findUniqueOrThrow({ where: { username: "gone" } });
    await updateUser({ actor: admin, id: gone.id, disabled: true });
    await expect(login({ username: "gone", password: "password-1" })).rejects.toMatchObject({ code: "unauthenticated" });

    for (const a of await prisma.user.findMany({ where: { role: "admin", NOT: { id: admin.id } } })) {
      await updateUser({ actor: admin, id: a.id, role: "viewer" });
    }
    await expect(updateUser({ actor: admin, id: admin.id, disabled: true })).rejects.toMatchObject({ code: "conflict" });
    await expect(updateUser({ actor: admin, id: admin.id, role: "editor" })).rejects.toMatchObject({ code: "conflict" });
  });
});

describe("purgeExpiredSessions", () => {
  it("deletes expired sessions and keeps live ones", async () => {
    const { purgeExpiredSessions } = await import("./session");
    const { user } = await makeUser("viewer");
    const live = await createSession(user.id);
    const dead = await createSession(user.id);
    await prisma.session.update({ where: { id: tokenId(dead.token) }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect(await purgeExpiredSessions()).toBeGreaterThanOrEqual(1);
    expect(await prisma.session.count({ where: { id: tokenId(dead.token) } })).toBe(0);
    expect(await prisma.session.count({ where: { id: tokenId(live.token) } })).toBe(1);
  });
});
