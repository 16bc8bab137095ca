import { request } from "@playwright/test";
import { E2E_BASE_URL } from "./e2e-env";
import { ADMIN, expect, test, uiLogin, uniqueName } from "./fixtures";

test("admin creates a user, changes the role, resets the password and disables the account", async ({ page }) => {
  const name = uniqueName("ops");
  await uiLogin(page, ADMIN);
  await page.getByTestId("nav-users").click();

  await page.getByTestId("user-new-name").fill(name);
  await page.getByTestId("user-new-password").fill("first-password");
  await page.getByTestId("user-new-role").selectOption("editor");
  await page.getByTestId("user-create").click();
  await expect(page.getByTestId("users-notice")).toHaveText(`Created ${name}.`);
  const row = page.getByTestId(`user-row-${name}`);
  await expect(row.getByTestId("user-role")).toHaveValue("editor");

  const anon = await request.newContext({ baseURL: E2E_BASE_URL });
  const loginStatus = async (password: string) => (await anon.post("/api/auth/login", { data: { username: name, password } })).status();
  expect(await loginStatus("first-password")).toBe(200);

  await row.getByTestId("user-role").selectOption("reviewer");
  await expect(page.getByTestId("users-notice")).toHaveText(`Updated ${name}.`);
  const me = await anon.get("/api/auth/me");
  expect(me.status()).toBe(401); // a role change ends the old sessions

  page.once("dialog", (d) => d.accept("second-password"));
  await row.getByTestId("user-reset-password").click();
  await expect(page.getByTestId("users-notice")).toHaveText(`New password set for ${name}.`);
  expect(await loginStatus("first-password")).toBe(401);
  expect(await loginStatus("second-password")).toBe(200);
  expect((await (await anon.get("/api/auth/me")).json()).role).toBe("reviewer");

  await row.getByTestId("user-toggle-disabled").click();
  await expect(row.getByTestId("user-disabled")).toBeVisible();
  expect(await loginStatus("second-password")).toBe(401);

  // Every step is in the audit log under the admin's name.
  await page.getByTestId("nav-audit").click();
  await page.getByTestId("audit-filter-action").fill("user.");
  await page.getByTestId("audit-filter-user").fill("admin");
  await page.getByTestId("audit-apply").click();
  const rows = page.locator(`[data-testid=audit-row]`, { hasText: name });
  await expect(rows).toHaveCount(4);
  await expect(page.getByTestId("audit-row").filter({ hasText: name }).first()).toHaveAttribute("data-action", "user.update");
  await anon.dispose();
});
