import "@/lib/db/test-database";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as login } from "@/app/api/auth/login/route";
import { GET as me } from "@/app/api/auth/me/route";
import { POST as createUser, GET as listUsers } from "@/app/api/users/route";
import { makeUser } from "@/lib/auth/test-users";
import { prisma } from "@/lib/db/client";
import { defineRoute } from "./define-route";
import { handle } from "./handle";

const noParams = { params: Promise.resolve({}) };
type Opts = {
  method?: string;
  cookie?: string;
  origin?: string;
  site?: string;
  referer?: string;
  type?: string;
  body?: string | ReadableStream;
};

function req(path: string, { method = "GET", cookie, origin, site, referer, type, body }: Opts = {}): Request {
  const headers: Record<string, string> = { host: "studio.test:3000" };
  if (cookie) headers.cookie = cookie;
  if (origin) headers.origin = origin;
  if (site) headers["sec-fetch-site"] = site;
  if (referer) headers.referer = referer;
  if (body !== undefined) headers["content-type"] = type ?? "application/json";
  if (typeof body === "string") headers["content-length"] = String(Buffer.byteLength(body));
  return new Request(`http://studio.test:3000${path}`, {
    method,
    headers,
    body,
    ...(typeof body === "object" ? { duplex: "half" } : {}),
  } as RequestInit);
}

let admin: Awaited<ReturnType<typeof makeUser>>;
let editor: Awaited<ReturnType<typeof makeUser>>;
beforeAll(async () => {
  admin = await makeUser("admin");
  editor = await makeUser("editor");
});

describe("handle(): session and role", () => {
  it("answers 401 without a session and with an unknown token", async () => {
    expect((await me(req("/api/auth/me"), noParams)).status).toBe(401);
    const r = await me(req("/api/auth/me", { cookie: "rootimg_session=forged" }), noParams);
    expect(r.status).toBe(401);
    expect((await r.json()).error.code).toBe("unauthenticated");
  });

  it("answers 403 to a too-weak role and audits the refused change", async () => {
    const body = JSON.stringify({ username: "mallory", password: "long-enough", role: "admin" });
    const r = await createUser(req("/api/users", { method: "POST", cookie: editor.cookie, body }), noParams);
    expect(r.status).toBe(403);
    expect((await r.json()).error.message).toContain("admin role");
    expect(await prisma.user.count({ where: { username: "mallory" } })).toBe(0);
    const denied = await prisma.auditLog.findFirst({ where: { action: "api.denied", username: editor.user.username } });
    expect(denied?.target).toBe("POST /api/users");
  });

  it("answers HEAD like GET and refuses a method the contract does not name", async () => {
    expect((await me(req("/api/auth/me", { method: "HEAD", cookie: editor.cookie }), noParams)).status).toBe(200);
    expect((await me(req("/api/auth/me", { method: "PUT", cookie: editor.cookie }), noParams)).status).toBe(400);
  });

  it("lets the role through and returns only the response schema's fields", async () => {
    const r = await listUsers(req("/api/users", { cookie: admin.cookie }), noParams);
    expect(r.status).toBe(200);
    const { users } = await r.json();
    expect(users.map((u: { username: string }) => u.username)).toContain(editor.user.username);
    expect(Object.keys(users[0]).sort()).toEqual(["createdAt", "disabled", "id", "role", "updatedAt", "username"]);
  });
});

describe("handle(): origin check on state-changing requests", () => {
  const body = () => JSON.stringify({ username: `u${Math.random().toString(36).slice(2, 8)}`, password: "long-enough", role: "viewer" });

  it("refuses a foreign Origin even for an admin", async () => {
    const r = await createUser(
      req("/api/users", { method: "POST", cookie: admin.cookie, origin: "http://evil.test", body: body() }),
      noParams,
    );
    expect(r.status).toBe(403);
    expect((await r.json()).error.message).toContain("another origin");
  });

  it("refuses Sec-Fetch-Site: cross-site and same-site", async () => {
    for (const site of ["cross-site", "same-site"]) {
      const r = await createUser(req("/api/users", { method: "POST", cookie: admin.cookie, site, body: body() }), noParams);
      expect(r.status).toBe(403);
    }
  });

  it("accepts the own origin and scripts that send no Origin", async () => {
    const own = await createUser(
      req("/api/users", { method: "POST", cookie: admin.cookie, origin: "http://studio.test:3000", site: "same-origin", body: body() }),
      noParams,
    );
    expect(own.status).toBe(201);
    const script = await createUser(req("/api/users", { method: "POST", cookie: admin.cookie, body: body() }), noParams);
    expect(script.status).toBe(201);
  });

  it("defences behind the browser: a foreign Referer without Origin is refused, the own one passes", async () => {
    const foreign = await createUser(
      req("/api/users", { method: "POST", cookie: admin.cookie, referer: "http://evil.test/page", body: body() }),
      noParams,
    );
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).error.message).toContain("Referer http://evil.test");
    const own = await createUser(
      req("/api/users", { method: "POST", cookie: admin.cookie, referer: "http://studio.test:3000/users", body: body() }),
      noParams,
    );
    expect(own.status).toBe(201);
  });

  it("defences behind the browser: a JSON route refuses text/plain and form encodings with 415", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const r = await createUser(req("/api/users", { method: "POST", cookie: admin.cookie, type, body: body() }), noParams);
      expect(r.status, type).toBe(415);
      expect((await r.json()).error.code).toBe("unsupported_media_type");
    }
    const ok = await createUser(
      req("/api/users", { method: "POST", cookie: admin.cookie, type: "application/json; charset=utf-8", body: body() }),
      noParams,
    );
    expect(ok.status).toBe(201);
  });

  it("checks the origin of the public login route too (login CSRF)", async () => {
    const r = await login(req("/api/auth/login", { method: "POST", origin: "http://evil.test", body: "{}" }), noParams);
    expect(r.status).toBe(403);
  });
});

describe("handle(): input validation", () => {
  it("answers 422 with the zod issues", async () => {
    const r = await createUser(
      req("/api/users", {
        method: "POST",
        cookie: admin.cookie,
        body: JSON.stringify({ username: "Bad Name", password: "x", role: "root" }),
      }),
      noParams,
    );
    expect(r.status).toBe(422);
    const { error } = await r.json();
    expect(error.issues.map((i: { path: string[] }) => i.path[0]).sort()).toEqual(["password", "role", "username"]);
  });

  it("answers 400 to a body that is not JSON", async () => {
    const r = await createUser(req("/api/users", { method: "POST", cookie: admin.cookie, body: "{nope" }), noParams);
    expect(r.status).toBe(400);
  });

  it("refuses to wrap a contract that is not in the registry", () => {
    const stray = defineRoute({ method: "GET", path: "/api/stray", role: "viewer", summary: "not registered" });
    expect(() => handle(stray, async () => ({}))).toThrow(/not listed in lib\/api\/registry.ts/);
  });
});

describe("handle(): unbounded request bodies", () => {
  it("the public login route answers 413 to a declared big body without reading it", async () => {
    const r = await login(
      req("/api/auth/login", { method: "POST", body: JSON.stringify({ username: "x", password: "y".repeat(300_000) }) }),
      noParams,
    );
    expect(r.status).toBe(413);
    expect((await r.json()).error.message).toMatch(/larger than this route accepts \(64 KiB\)/);
  });

  it("stops reading a streamed body without a length as soon as it passes the limit", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += 16 * 1024;
        c.enqueue(new Uint8Array(16 * 1024).fill(0x20));
      },
    });
    const r = await login(req("/api/auth/login", { method: "POST", body: endless }), noParams);
    expect(r.status).toBe(413);
    expect(pulled).toBeLessThan(256 * 1024);
  });
});

describe("login route", () => {
  it("sets an HttpOnly SameSite=Strict cookie that opens a session", async () => {
    const r = await login(
      req("/api/auth/login", { method: "POST", body: JSON.stringify({ username: editor.user.username, password: editor.password }) }),
      noParams,
    );
    expect(r.status).toBe(200);
    const cookie = r.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP in this test; Secure is added under TLS
    const token = cookie.split(";")[0];
    const who = await me(req("/api/auth/me", { cookie: token }), noParams);
    expect((await who.json()).username).toBe(editor.user.username);
  });
});
