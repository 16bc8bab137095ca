// What "pending changes" compare with, seen in the browser on the local backend: a tree genimage left is
// adopted as the workspace with a job and a progress bar (its pristine state is recorded); an edit is then
// pending; a pack publishes it and nothing is pending any more; a rollback to an earlier packed version makes
// it pending again (the tree holds what that archive lacks), rolling forward clears it.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { APIRequestContext, Page } from "@playwright/test";
import { E2E_DATA_DIR } from "./e2e-env";
import { ADMIN, expect, test, uiLogin, uniqueName } from "./fixtures";
import { exportDemo } from "./export-demo";

const DEMO = "demo-busybox-x86_64-netboot-compute";

async function jobSucceeded(api: APIRequestContext, id: string) {
  await expect.poll(async () => (await (await api.get(`/api/jobs/${id}`)).json()).state, { timeout: 60_000 }).toBe("succeeded");
}

/** An imported copy of the demo image (other specs use the demo itself at the same time). */
async function demoCopy(api: APIRequestContext): Promise<string> {
  await exportDemo(api);
  const profile = uniqueName("pristine").replace(/[^A-Za-z0-9._-]/g, "");
  const imp = await api.post("/api/images/import", { data: { path: path.join(E2E_DATA_DIR, "exports", `${DEMO}.tgz`), profile } });
  await jobSucceeded(api, (await imp.json()).jobId);
  return `debian12-x86_64-netboot-${profile}`;
}

async function pending(page: Page, name: string) {
  await page.goto(`/changes?image=${encodeURIComponent(name)}`);
  return page.locator(`[data-testid="changes-image"][data-image="${name}"]`);
}

test("adopting a genimage tree records its pristine state as a job; pack clears pending changes, rollback brings them back", async ({ page, adminApi }) => {
  test.setTimeout(180_000);
  const name = await demoCopy(adminApi);
  const dir = path.join(E2E_DATA_DIR, "images", name);
  // What genimage leaves: rootimg/ next to the archive, made without Rootimg Studio (so no pristine manifest).
  fs.mkdirSync(path.join(dir, "rootimg"));
  execFileSync("bsdtar", ["-x", "-p", "--numeric-owner", "-f", path.join(dir, "rootimg.cpio.gz"), "-C", path.join(dir, "rootimg")]);
  expect(fs.existsSync(path.join(dir, ".rootimg-studio/rootimg/manifest.json"))).toBe(false);

  await uiLogin(page, ADMIN);
  await page.goto(`/images/${name}`);
  await expect(page.getByTestId("image-page")).toHaveAttribute("data-image", name);
  await page.getByTestId("unpack").click();
  await expect(page.getByTestId("tree-choice")).toBeVisible();
  await page.getByTestId("use-existing").click();
  const panel = page.getByTestId("image-job");
  await expect(panel.getByTestId("job-bar")).toBeVisible();
  await expect(panel.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
  await expect(panel.getByTestId("job-bar")).toHaveAttribute("aria-valuenow", "100");
  expect(Number(await panel.getByTestId("job-total").getAttribute("data-value"))).toBeGreaterThan(0);
  await expect(page.getByTestId("image-workspace")).toHaveText("unpacked");
  expect(fs.existsSync(path.join(dir, ".rootimg-studio/rootimg/manifest.json"))).toBe(true);
  const jobId = (await (await adminApi.get(`/api/images/${name}`)).json()).lastJob.id;
  const job = await (await adminApi.get(`/api/jobs/${jobId}`)).json();
  expect(job).toMatchObject({ type: "image.workspace.adopt", unit: "bytes", state: "succeeded" });
  console.log(`adoption manifest of ${name}: ${job.result.entries} entries, ${job.result.bytesHashed} bytes hashed in ${job.result.ms} ms`);

  // compared with the recorded state: nothing pending; an edit made on the management node is
  let section = await pending(page, name);
  await expect(section.getByTestId("changes-count")).toHaveText("no pending changes");
  fs.writeFileSync(path.join(dir, "rootimg/etc/motd"), "edited on the management node\n");
  await page.reload();
  await expect(section.locator('[data-testid="change-row"][data-path="/etc/motd"]')).toHaveAttribute("data-kind", "modified");

  // pack: version 2 is live and holds the edit; nothing is pending any more
  await page.goto(`/images/${name}`);
  await page.getByTestId("pack").click();
  await expect(panel.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
  await expect(page.locator('[data-testid="version-row"][data-live="true"]')).toHaveAttribute("data-seq", "2");
  section = await pending(page, name);
  await expect(section.getByTestId("changes-count")).toHaveText("no pending changes");

  // a second edit, packed as version 3
  fs.writeFileSync(path.join(dir, "rootimg/etc/motd"), "edited again\n");
  await page.goto(`/images/${name}`);
  await page.getByTestId("pack").click();
  await expect(page.locator('[data-testid="version-row"][data-live="true"]')).toHaveAttribute("data-seq", "3", { timeout: 60_000 });
  section = await pending(page, name);
  await expect(section.getByTestId("changes-count")).toHaveText("no pending changes");

  // roll back to version 2: the second edit (and version 3's stamp) are not in the live archive: pending again
  await page.goto(`/images/${name}`);
  const v2 = page.locator('[data-testid="version-row"][data-seq="2"]');
  await v2.getByTestId("rollback").click();
  await v2.getByTestId("rollback-confirm").click();
  await expect(v2).toHaveAttribute("data-live", "true");
  section = await pending(page, name);
  await expect(section.locator('[data-testid="change-row"][data-path="/etc/motd"]')).toHaveAttribute("data-kind", "modified");
  await expect(section.locator('[data-testid="change-row"][data-path="/opt/xcat/xcatinfo"]')).toHaveAttribute("data-kind", "modified");
  await expect(section.getByTestId("changes-count")).toHaveText("2 pending changes");
  // and forward again to version 3: nothing pending
  await page.goto(`/images/${name}`);
  const v3 = page.locator('[data-testid="version-row"][data-seq="3"]');
  await v3.getByTestId("rollback").click();
  await v3.getByTestId("rollback-confirm").click();
  await expect(v3).toHaveAttribute("data-live", "true");
  section = await pending(page, name);
  await expect(section.getByTestId("changes-count")).toHaveText("no pending changes");
});
