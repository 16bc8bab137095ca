import "@/lib/db/test-database";
import { describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { changeOwnPassword } from "./change-own-password";
import { login } from "./login";
import { createSession, getSessionUser } from "./session";
import { makeUser } from "./test-users";

describe("changeOwnPassword", () => {
  it("needs the current password, keeps this session, ends the others, and audits", async () => {
    const { user, password } = await makeUser("viewer");
    const u = user;
    const here = await createSession(u.id);
    const elsewhere = await createSession(u.id);

    await expect(changeOwnPassword({ user, current: "wrong", next: "new-password-2", sessionToken: here.token })).rejects.toThrow(
      /current password is not right/,
    );
    await expect(changeOwnPassword({ user, current: password, next: password, sessionToken: here.token })).rejects.toThrow(
      /is the current one/,
    );
    expect(await getSessionUser(elsewhere.token)).not.toBeNull();

    await changeOwnPassword({ user, current: password, next: "new-password-2", sessionToken: here.token, ip: "10.0.0.9" });
    expect(await getSessionUser(here.token)).toMatchObject({ id: u.id });
    expect(await getSessionUser(elsewhere.token)).toBeNull();
    await expect(login({ username: u.username, password: password })).rejects.toThrow(/Wrong user name or password/);
    expect((await login({ username: u.username, password: "new-password-2" })).user.id).toBe(u.id);
    const audit = await prisma.auditLog.findMany({ where: { action: "user.password.own", username: u.username }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.outcome)).toEqual(["denied", "ok"]);
  });

  it("counts wrong current passwords like failed logins", async () => {
    const { user } = await makeUser("viewer");
    let last: unknown;
    for (let i = 0; i < 8; i++) last = await changeOwnPassword({ user, current: `guess-${i}`, next: "whatever-123" }).catch((e) => e);
    expect((last as { code?: string }).code).toBe("rate_limited");
  });
});
