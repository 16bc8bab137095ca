import type { APIRequestContext } from "@playwright/test";
import { request } from "@playwright/test";
import { io } from "socket.io-client";
import { E2E_BASE_URL } from "./e2e-env";
import { apiAs, createUser, expect, type Role, test } from "./fixtures";

// Driven by /api/openapi.json, so every route added later is covered without touching this file.
type Op = { method: string; path: string; role: Role | "public" };
const ROLES: Role[] = ["viewer", "editor", "reviewer", "admin"];
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

async function operations(api: APIRequestContext): Promise<Op[]> {
  const doc = await (await api.get("/api/openapi.json")).json();
  const ops: Op[] = [];
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, { "x-required-role": Op["role"] }>>)) {
    for (const [method, op] of Object.entries(methods)) ops.push({ method: method.toUpperCase(), path, role: op["x-required-role"] });
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
    }
  }
  await anon.dispose();
  for (const [role, api] of byRole) if (role !== "admin") await api.dispose();
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
