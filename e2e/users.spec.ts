import { request } from "@playwright/test";
import { E2E_BASE_URL } from "./e2e-env";
import { ADMIN, apiAs, createUser, expect, test, uiLogin, uniqueName } from "./fixtures";

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

  // The reset is a form with password fields (never a prompt showing the password in clear text).
  await row.getByTestId("user-reset-password").click();
  const dialog = row.getByTestId("reset-dialog");
  await expect(dialog.getByTestId("reset-password-new")).toHaveAttribute("type", "password");
  await dialog.getByTestId("reset-password-new").fill("second-password");
  await dialog.getByTestId("reset-password-repeat").fill("second-passwore");
  await expect(dialog.getByTestId("reset-password-mismatch")).toBeVisible();
  await expect(dialog.getByTestId("reset-password-submit")).toBeDisabled();
  await dialog.getByTestId("reset-password-repeat").fill("second-password");
  await dialog.getByTestId("reset-password-submit").click();
  await expect(page.getByTestId("users-notice")).toHaveText(`New password set for ${name}; their sessions were signed out.`);
  await expect(row.getByTestId("reset-dialog")).toHaveCount(0);
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

test("a user changes their own password: current one asked for, new one twice with a strength hint; other sessions end", async ({
  page,
  browser,
}) => {
  const admin = await apiAs(ADMIN);
  const user = await createUser(admin, "viewer");
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await uiLogin(otherPage, user);

  await uiLogin(page, user);
  await page.getByTestId("nav-account").click();
  await page.getByTestId("own-password-current").fill("not-my-password");
  await page.getByTestId("own-password-new").fill("short");
  await expect(page.getByTestId("own-password-strength")).toContainText("too short");
  await page.getByTestId("own-password-new").fill("aaaaaaaa");
  await expect(page.getByTestId("own-password-strength")).toContainText("weak");
  const next = "Correct-Horse-9-Battery";
  await page.getByTestId("own-password-new").fill(next);
  await expect(page.getByTestId("own-password-strength")).toContainText("strong");
  await page.getByTestId("own-password-repeat").fill(next);
  await page.getByTestId("own-password-submit").click();
  await expect(page.getByTestId("own-password-error")).toHaveText("The current password is not right; nothing was changed.");

  await page.getByTestId("own-password-current").fill(user.password);
  await page.getByTestId("own-password-submit").click();
  await expect(page.getByTestId("own-password-notice")).toContainText("Your password was changed");
  // this session stays; the other browser's session ended; the new password signs in, the old one not
  await page.reload();
  await expect(page.getByTestId("current-user")).toHaveText(user.username);
  expect((await otherPage.request.get("/api/auth/me")).status()).toBe(401);
  const anon = await request.newContext({ baseURL: E2E_BASE_URL });
  expect((await anon.post("/api/auth/login", { data: { username: user.username, password: user.password } })).status()).toBe(401);
  expect((await anon.post("/api/auth/login", { data: { username: user.username, password: next } })).status()).toBe(200);
  await anon.dispose();
  await other.close();
});
