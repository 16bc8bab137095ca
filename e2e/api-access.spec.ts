import type { APIRequestContext, APIResponse } from "@playwright/test";
import { request } from "@playwright/test";
import { io } from "socket.io-client";
import { E2E_BASE_URL } from "./e2e-env";
import { apiAs, createUser, expect, type Role, test } from "./fixtures";

// Driven by /api/openapi.json, so every route added later is covered without touching this file.
type Op = { method: string; path: string; role: Role | "public"; json: boolean; maxBody: number };
const ROLES: Role[] = ["viewer", "editor", "reviewer", "admin"];
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

async function operations(api: APIRequestContext): Promise<Op[]> {
  const doc = await (await api.get("/api/openapi.json")).json();
  const ops: Op[] = [];
  type DocOp = { "x-required-role": Op["role"]; "x-max-body-bytes": number; requestBody?: { content: Record<string, unknown> } };
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, DocOp>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const json = Boolean(op.requestBody?.content["application/json"]);
      ops.push({ method: method.toUpperCase(), path, role: op["x-required-role"], json, maxBody: op["x-max-body-bytes"] });
    }
  }
  return ops;
}

// Path parameters get a value that names nothing: the checks under test come before any lookup.
const urlOf = (op: Op) => op.path.replace(/\{\w+\}/g, "e2e-nothing");
const call = (api: APIRequestContext, op: Op, headers: Record<string, string> = {}) =>
  api.fetch(urlOf(op), { method: op.method, headers, ...(STATE_CHANGING.has(op.method) ? { data: {} } : {}) });

test("every route: 401 without a session, 403 for a too-weak role, refused from a foreign origin", async ({ adminApi }) => {
  const ops = await operations(adminApi);
  expect(ops.length).toBeGreaterThan(10);
  expect(ops.filter((o) => o.role === "public").map((o) => `${o.method} ${o.path}`)).toEqual(["POST /api/auth/login", "GET /api/health"]);

  const byRole = new Map<Role, APIRequestContext>([["admin", adminApi]]);
  for (const role of ["viewer", "editor", "reviewer"] as Role[]) byRole.set(role, await apiAs(await createUser(adminApi, role)));
  const anon = await request.newContext({ baseURL: E2E_BASE_URL });

  for (const op of ops) {
    const name = `${op.method} ${op.path}`;
    if (op.role !== "public") {
      expect.soft((await call(anon, op)).status(), `${name} without a session`).toBe(401);
      const weaker = ROLES[ROLES.indexOf(op.role) - 1];
      if (weaker) expect.soft((await call(byRole.get(weaker) as APIRequestContext, op)).status(), `${name} as ${weaker}`).toBe(403);
    }
    if (STATE_CHANGING.has(op.method)) {
      const foreign = await call(adminApi, op, { origin: "http://evil.example" });
      expect.soft(foreign.status(), `${name} from a foreign Origin`).toBe(403);
      const crossSite = await call(adminApi, op, { "sec-fetch-site": "cross-site" });
      expect.soft(crossSite.status(), `${name} with Sec-Fetch-Site: cross-site`).toBe(403);
      const referer = await call(adminApi, op, { referer: "http://evil.example/page" });
      expect.soft(referer.status(), `${name} with a foreign Referer and no Origin`).toBe(403);
    }
  }
  await anon.dispose();
  for (const [role, api] of byRole) if (role !== "admin") await api.dispose();
});

test("every route with a body: 415 for JSON sent as text/plain or a form, 413 past its body limit", async ({ adminApi }) => {
  const ops = (await operations(adminApi)).filter((o) => STATE_CHANGING.has(o.method));
  expect(ops.filter((o) => o.json).length).toBeGreaterThan(10);
  for (const op of ops) {
    const name = `${op.method} ${op.path}`;
    if (op.json) {
      for (const type of ["text/plain", "application/x-www-form-urlencoded"]) {
        const r = await adminApi.fetch(urlOf(op), { method: op.method, headers: { "content-type": type }, data: "{}" });
        expect.soft(r.status(), `${name} as ${type}`).toBe(415);
      }
    }
    // Bodies up to 1 MiB are sent for real; the bigger limits (file saves, uploads) are covered by the unit tests.
    if (op.maxBody <= 1024 * 1024 && op.path !== "/api/auth/logout") {
      const r = await adminApi.fetch(urlOf(op), {
        method: op.method,
        headers: { "content-type": "application/json" },
        data: `"${"x".repeat(op.maxBody)}"`,
      });
      expect.soft(r.status(), `${name} with a body over ${op.maxBody} bytes`).toBe(413);
      if (r.status() === 413) expect.soft((await r.json()).error.message, name).toMatch(/larger than this route accepts/);
    }
  }
});

test("no route answers 500 for a missing resource; a missing image is 404", async ({ adminApi }) => {
  for (const op of await operations(adminApi)) {
    if (op.path === "/api/auth/logout") continue; // would end this session
    const r = await call(adminApi, op);
    expect.soft(r.status(), `${op.method} ${op.path} with missing resources: ${await r.text()}`).toBeLessThan(500);
  }
  const missing = "/api/images/e2e-nothing";
  expect((await adminApi.get(missing)).status()).toBe(404);
  expect((await adminApi.get(`${missing}/files/list?path=/`)).status()).toBe(404);
  expect((await adminApi.post(`${missing}/unpack`, { data: { mode: "unpack" } })).status()).toBe(404);
  expect((await adminApi.post(`${missing}/export`)).status()).toBe(404);
});

type SocketResult = { connected: boolean; error?: string; join?: { ok: boolean; error?: string } };

function trySocket(headers: Record<string, string>, room?: string): Promise<SocketResult> {
  return new Promise((resolve) => {
    const s = io(E2E_BASE_URL, { transports: ["websocket"], extraHeaders: headers, reconnection: false });
    const done = (r: SocketResult) => {
      s.close();
      resolve(r);
    };
    s.on("connect_error", (e) => done({ connected: false, error: e.message }));
    s.on("connect", () => {
      if (!room) return done({ connected: true });
      s.emit("join", room, (join: SocketResult["join"]) => done({ connected: true, join }));
    });
  });
}

test("Socket.IO: the session cookie is required, foreign origins are refused, rooms are checked", async ({ adminApi }) => {
  const viewer = await apiAs(await createUser(adminApi, "viewer"));
  const cookie = (await viewer.storageState()).cookies.find((c) => c.name === "rootimg_session");
  expect(cookie).toBeDefined();
  const jar = { cookie: `rootimg_session=${cookie?.value}` };

  expect(await trySocket({})).toEqual({ connected: false, error: "unauthenticated" });
  expect(await trySocket({ cookie: "rootimg_session=forged" })).toEqual({ connected: false, error: "unauthenticated" });
  expect(await trySocket({ ...jar, origin: "http://evil.example" })).toEqual({ connected: false, error: "forbidden" });
  expect(await trySocket({ ...jar, origin: E2E_BASE_URL })).toEqual({ connected: true });
  expect((await trySocket(jar, "secrets:1")).join).toEqual({ ok: false, error: "unknown room secrets:1" });

  // After sign-out the same cookie opens nothing.
  expect((await viewer.post("/api/auth/logout")).status()).toBe(204);
  expect(await trySocket(jar)).toEqual({ connected: false, error: "unauthenticated" });
  await viewer.dispose();
});

/** A socket signed in with `cookie`, joined to `room`; records every event it receives and whether it was disconnected. */
async function watchRoom(cookie: string, room: string) {
  const events: string[] = [];
  let disconnected = false;
  const s = io(E2E_BASE_URL, { transports: ["websocket"], extraHeaders: { cookie }, reconnection: false });
  s.onAny((event) => events.push(event));
  s.on("disconnect", () => (disconnected = true));
  await new Promise<void>((resolve, reject) => {
    s.on("connect_error", reject);
    s.on("connect", () => s.emit("join", room, (r: { ok: boolean }) => (r.ok ? resolve() : reject(new Error(JSON.stringify(r))))));
  });
  return { events, isDisconnected: () => disconnected, close: () => s.close() };
}

const sessionCookie = async (api: APIRequestContext) =>
  `rootimg_session=${(await api.storageState()).cookies.find((c) => c.name === "rootimg_session")?.value}`;

test("sockets outlive their session: sign-out, password change, role change and disabling disconnect at once, and no event reaches them", async ({
  adminApi,
}) => {
  const room = `image:e2e-sessions-${Date.now()}`;
  const heartbeat = (files: string[]) =>
    adminApi.post(`/api/images/${room.slice(6)}/files/presence`, { data: { clientId: "admin-tab-0001", files } });
  const ends: [string, (u: Awaited<ReturnType<typeof createUser>>, api: APIRequestContext) => Promise<unknown>][] = [
    ["sign-out", (_u, api) => api.post("/api/auth/logout")],
    ["password change", (u) => adminApi.post(`/api/users/${u.id}/password`, { data: { password: "another-password-1" } })],
    ["role change", (u) => adminApi.patch(`/api/users/${u.id}`, { data: { role: "editor" } })],
    ["disabling", (u) => adminApi.patch(`/api/users/${u.id}`, { data: { disabled: true } })],
  ];
  let n = 0;
  for (const [what, end] of ends) {
    const user = await createUser(adminApi, "viewer");
    const api = await apiAs(user);
    const watcher = await watchRoom(await sessionCookie(api), room);
    // the room works: a presence change reaches the user
    expect((await heartbeat([`/etc/before-${++n}`])).status()).toBe(200);
    await expect.poll(() => watcher.events.filter((e) => e === "files:presence").length, { message: what }).toBeGreaterThanOrEqual(2);
    const ended = (await end(user, api)) as APIResponse;
    expect(ended.ok(), `${what}: ${ended.status()}`).toBe(true);
    await expect.poll(() => watcher.isDisconnected(), { message: `${what} disconnects the socket` }).toBe(true);
    const seen = watcher.events.length;
    expect((await heartbeat([`/etc/after-${n}`])).status()).toBe(200);
    // a round trip of the server after the emit: anything still routed to the old socket would have arrived
    expect((await adminApi.get("/api/auth/me")).status()).toBe(200);
    expect(watcher.events.length, `no event after ${what}`).toBe(seen);
    watcher.close();
    await api.dispose();
  }
});
