import { createUser, expect, type Role, test, uiLogin } from "./fixtures";

// What each role sees and may do on the foundation's screens; the images/changes/nodes specs cover theirs.
const cases: { role: Role; admin: boolean }[] = [
  { role: "viewer", admin: false },
  { role: "editor", admin: false },
  { role: "reviewer", admin: false },
  { role: "admin", admin: true },
];

for (const { role, admin } of cases) {
  test(`${role}: sees the screens of the role and nothing more`, async ({ page, adminApi }) => {
    const user = await createUser(adminApi, role);
    await uiLogin(page, user);
    await expect(page.getByTestId("current-role")).toHaveText(role);

    for (const item of ["images", "changes", "nodes", "jobs", "audit"]) await expect(page.getByTestId(`nav-${item}`)).toBeVisible();
    await expect(page.getByTestId("nav-users")).toHaveCount(admin ? 1 : 0);

    // Jobs and audit are readable by everyone; only an admin gets the maintenance button.
    await page.getByTestId("nav-jobs").click();
    await expect(page.getByTestId("jobs-table")).toBeVisible();
    await expect(page.getByTestId("backup-start")).toHaveCount(admin ? 1 : 0);
    await page.getByTestId("nav-audit").click();
    await expect(page.getByTestId("audit-table")).toBeVisible();

    // Typing the URL does not help: the page and the API refuse.
    await page.goto("/users");
    if (admin) await expect(page.getByTestId("users-table")).toBeVisible();
    else await expect(page.getByTestId("forbidden")).toBeVisible();
    const api = page.request;
    expect((await api.get("/api/users")).status()).toBe(admin ? 200 : 403);
    expect((await api.post("/api/maintenance/backup")).status()).toBe(admin ? 202 : 403);
    expect((await api.get("/api/jobs")).status()).toBe(200);
    expect((await api.get("/api/audit")).status()).toBe(200);
  });
}
