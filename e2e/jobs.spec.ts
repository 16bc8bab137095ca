import { existsSync } from "node:fs";
import { E2E_DATA_DIR } from "./e2e-env";
import { ADMIN, expect, test, uiLogin } from "./fixtures";

test("a job started from the UI streams its log and progress, and the page survives a reload", async ({ page }) => {
  const external: string[] = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.protocol.startsWith("http") && u.hostname !== "127.0.0.1") external.push(r.url());
  });
  await uiLogin(page, ADMIN);
  await page.getByTestId("nav-jobs").click();
  await page.getByTestId("backup-start").click();
  await expect(page).toHaveURL(/\/jobs\/\w+$/);
  const jobId = page.url().split("/").pop() as string;

  const progress = page.getByTestId("job-progress");
  await expect(progress).toHaveAttribute("data-state", "succeeded");
  const log = page.getByTestId("job-log");
  await expect(log).toContainText("integrity_check: ok");
  await expect(log).toContainText("written ");
  const done = await page.getByTestId("job-done").getAttribute("data-value");
  await expect(page.getByTestId("job-total")).toHaveAttribute("data-value", done as string);
  const lines = await page.getByTestId("job-log-line").allTextContents();
  expect(lines.length).toBeGreaterThan(5);

  // The stored log is what the page showed, line by line and in order.
  const stored = await (await page.request.get(`/api/jobs/${jobId}/log`)).json();
  expect(stored.lines.map((l: { line: string }) => l.line)).toEqual(lines);

  // A reload (or a late visitor) gets the same log replayed from the server, and the final state.
  await page.reload();
  await expect(page.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded");
  await expect(page.getByTestId("job-log")).toHaveAttribute("data-lines", String(lines.length));
  expect(await page.getByTestId("job-log-line").allTextContents()).toEqual(lines);

  // The backup is on disk where the result says, and the job is listed and audited.
  const result = JSON.parse((await page.getByTestId("job-result").textContent()) as string);
  expect(result.file.startsWith(`${E2E_DATA_DIR}/backups/`)).toBe(true);
  expect(existsSync(result.file)).toBe(true);
  await page.getByTestId("nav-jobs").click();
  await expect(page.locator(`[data-testid=job-row][data-job-id="${jobId}"]`)).toContainText("succeeded");
  await page.getByTestId("nav-audit").click();
  await page.getByTestId("audit-filter-action").fill("maintenance.backup");
  await page.getByTestId("audit-apply").click();
  await expect(page.getByTestId("audit-row").filter({ hasText: jobId })).toHaveCount(2); // started + ok
  expect(external).toEqual([]);
});

test("a job id that does not exist says so instead of loading forever", async ({ page }) => {
  await uiLogin(page, ADMIN);
  await page.goto("/jobs/no-such-job");
  await expect(page.getByTestId("job-detail-error")).toHaveText("No job with id no-such-job.");
});
