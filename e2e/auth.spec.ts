import { request } from "@playwright/test";
import { E2E_BASE_URL } from "./e2e-env";
import { ADMIN, apiAs, createUser, expect, test, uiLogin } from "./fixtures";
import { LoginPage } from "./pages/login-page";

test("a wrong password is refused with a message and no session", async ({ page, adminApi }) => {
  const user = await createUser(adminApi, "viewer");
  const login = await new LoginPage(page).goto();
  await login.submit({ username: user.username, password: "not-the-password" });
  await expect(login.error).toContainText("Wrong user name or password");
  await expect(page).toHaveURL(/\/login$/);
  expect((await page.context().cookies()).filter((c) => c.name === "rootimg_session")).toEqual([]);
  // The failure is in the audit log, visible to the admin.
  const audit = await (await adminApi.get(`/api/audit?user=${user.username}&action=auth.login`)).json();
  expect(audit.entries.map((e: { outcome: string }) => e.outcome)).toEqual(["denied"]);
});

test("sign in, then sign out: the old session cookie no longer opens anything", async ({ page, adminApi }) => {
  const user = await createUser(adminApi, "editor");
  await uiLogin(page, user);
  const [cookie] = (await page.context().cookies()).filter((c) => c.name === "rootimg_session");
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });

  await page.getByTestId("logout").click();
  await expect(page.getByTestId("login-form")).toBeVisible();
  await page.goto("/jobs");
  await expect(page).toHaveURL(/\/login$/);

  const replay = await request.newContext({ baseURL: E2E_BASE_URL, extraHTTPHeaders: { cookie: `rootimg_session=${cookie.value}` } });
  expect((await replay.get("/api/auth/me")).status()).toBe(401);
  await replay.dispose();
});

test("repeated failed logins are slowed down with 429, even for the right password", async ({ adminApi }) => {
  const user = await createUser(adminApi, "viewer");
  const anon = await request.newContext({ baseURL: E2E_BASE_URL });
  for (let i = 0; i < 5; i++) {
    expect((await anon.post("/api/auth/login", { data: { username: user.username, password: "wrong" } })).status()).toBe(401);
  }
  const r = await anon.post("/api/auth/login", { data: { username: user.username, password: user.password } });
  expect(r.status()).toBe(429);
  expect(Number(r.headers()["retry-after"])).toBeGreaterThan(0);
  expect((await r.json()).error.message).toMatch(/Too many failed logins/);
  await anon.dispose();
});

test("a disabled account cannot sign in and its open session ends", async ({ adminApi }) => {
  const user = await createUser(adminApi, "editor");
  const session = await apiAs(user);
  expect((await adminApi.patch(`/api/users/${user.id}`, { data: { disabled: true } })).status()).toBe(200);
  expect((await session.get("/api/auth/me")).status()).toBe(401);
  const anon = await request.newContext({ baseURL: E2E_BASE_URL });
  expect((await anon.post("/api/auth/login", { data: user })).status()).toBe(401);
  await Promise.all([session.dispose(), anon.dispose()]);
});

test("the initial admin from ADMIN_PASSWORD can sign in through the page", async ({ page }) => {
  await uiLogin(page, ADMIN);
  await expect(page.getByTestId("current-role")).toHaveText("admin");
});
