import { type APIRequestContext, test as base, expect, type Page, request } from "@playwright/test";
import { E2E_ADMIN_PASSWORD, E2E_BASE_URL } from "./e2e-env";
import { LoginPage } from "./pages/login-page";

export type Creds = { username: string; password: string };
export type Role = "viewer" | "editor" | "reviewer" | "admin";
export const ADMIN: Creds = { username: "admin", password: E2E_ADMIN_PASSWORD };

let counter = 0;
/** A user name no other test (or worker) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;
}

/** An API client signed in as `creds` (cookie jar of its own, no Origin header: like a script). */
export async function apiAs(creds: Creds): Promise<APIRequestContext> {
  const ctx = await request.newContext({ baseURL: E2E_BASE_URL });
  const r = await ctx.post("/api/auth/login", { data: creds });
  expect(r.status(), `login as ${creds.username}`).toBe(200);
  return ctx;
}

/** Creates a user through the API as admin. */
export async function createUser(admin: APIRequestContext, role: Role): Promise<Creds & { id: string; role: Role }> {
  const creds = { username: uniqueName(role), password: `pw-${role}-${Math.random().toString(36).slice(2)}` };
  const r = await admin.post("/api/users", { data: { ...creds, role } });
  expect(r.status()).toBe(201);
  return { ...creds, role, id: (await r.json()).id };
}

/** Signs in through the login page and waits for the dashboard (of the suite's server, or of `baseURL`: an own server). */
export async function uiLogin(page: Page, creds: Creds, baseURL = ""): Promise<void> {
  await new LoginPage(page, baseURL).signIn(creds);
}

export const test = base.extend<{ adminApi: APIRequestContext }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this destructuring; it has none
  adminApi: async ({}, use) => {
    const api = await apiAs(ADMIN);
    await use(api);
    await api.dispose();
  },
});
export { expect };
