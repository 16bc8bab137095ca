import fs from "node:fs";
import path from "node:path";
import type { APIRequestContext } from "@playwright/test";
import { E2E_DATA_DIR } from "./e2e-env";
import { ADMIN, apiAs, createUser, expect, test, uiLogin, uniqueName } from "./fixtures";
import { exportDemo } from "./export-demo";

// The Changes page on a private copy of the demo image (other specs pack and edit the demo image itself).
const DEMO = "demo-busybox-x86_64-netboot-compute";

async function jobDone(api: APIRequestContext, res: { status(): number; json(): Promise<{ jobId: string }> }) {
  expect(res.status()).toBe(202);
  const { jobId } = await res.json();
  await expect.poll(async () => (await (await api.get(`/api/jobs/${jobId}`)).json()).state, { timeout: 60_000 }).toBe("succeeded");
}

async function unpackedCopy(admin: APIRequestContext): Promise<{ name: string; tree: string }> {
  await exportDemo(admin);
  const profile = uniqueName("chg").replace(/[^A-Za-z0-9._-]/g, "");
  await jobDone(admin, await admin.post("/api/images/import", { data: { path: path.join(E2E_DATA_DIR, "exports", `${DEMO}.tgz`), profile } }));
  const name = `debian12-x86_64-netboot-${profile}`;
  await jobDone(admin, await admin.post(`/api/images/${name}/unpack`, { data: { mode: "unpack" } }));
  return { name, tree: path.join(E2E_DATA_DIR, "images", name, "rootimg") };
}

test("the Changes page lists what changed since the unpack, who edited it, and changes made outside the editor", async ({ page, adminApi }) => {
  const { name, tree } = await unpackedCopy(adminApi);
  const editor = await createUser(adminApi, "editor");
  const ed = await apiAs(editor);
  const motd = await (await ed.get(`/api/images/${name}/files/content?path=/etc/motd`)).json();
  const saved = await ed.put(`/api/images/${name}/files/content`, { data: { path: "/etc/motd", content: `${motd.content}changed for the review\n`, encoding: "utf-8", etag: motd.etag } });
  expect(saved.status()).toBe(200);
  // as a chroot command or a shell on the management node would
  fs.writeFileSync(path.join(tree, "etc/by-hand.conf"), "x=1\n");
  fs.rmSync(path.join(tree, "etc/hostname"));

  await uiLogin(page, editor);
  await page.getByTestId("nav-changes").click();
  const block = page.locator(`[data-testid=changes-image][data-image="${name}"]`);
  await expect(block.getByTestId("changes-count")).toHaveText("3 pending changes");
  const rowOf = (p: string) => block.locator(`[data-testid=change-row][data-path="${p}"]`);
  await expect(rowOf("/etc/motd")).toHaveAttribute("data-kind", "modified");
  await expect(rowOf("/etc/motd")).toContainText(editor.username);
  await expect(rowOf("/etc/by-hand.conf")).toHaveAttribute("data-kind", "added");
  await expect(rowOf("/etc/by-hand.conf")).toContainText("outside the editor");
  await expect(rowOf("/etc/hostname")).toHaveAttribute("data-kind", "removed");

  // Undoing a change on disk takes it off the list.
  fs.rmSync(path.join(tree, "etc/by-hand.conf"));
  await block.page().getByTestId("changes-refresh").click();
  await expect(block.getByTestId("changes-count")).toHaveText("2 pending changes");
  await expect(rowOf("/etc/by-hand.conf")).toHaveCount(0);

  // A path leads to the file in the editor.
  await rowOf("/etc/motd").getByRole("link").click();
  await expect(page.locator('[data-testid=editor-tab][data-path="/etc/motd"]')).toBeVisible();

  // The image page leads to the same list, for that image only.
  await page.goto(`/images/${name}`);
  await expect(page.getByTestId("image-pending")).toHaveText("1");
  await page.getByTestId("image-changes-link").click();
  await expect(page.getByRole("heading", { name: `Changes of ${name}` })).toBeVisible();
  await expect(page.getByTestId("changes-image")).toHaveCount(1);
  await expect(page.getByTestId("changes-image").getByTestId("changes-count")).toHaveText("2 pending changes");
});

test("a viewer sees the Changes page; an image filter shows that image only", async ({ page }) => {
  const admin = await apiAs(ADMIN);
  const viewer = await createUser(admin, "viewer");
  await uiLogin(page, viewer);
  await page.goto(`/changes?image=${DEMO}`);
  await expect(page.getByRole("heading", { name: `Changes of ${DEMO}` })).toBeVisible();
  const blocks = page.getByTestId("changes-image");
  // the demo image may or may not be unpacked by another spec right now: either its block, or the empty message
  await expect(blocks.or(page.getByTestId("changes-none")).first()).toBeVisible();
  for (const b of await blocks.all()) await expect(b).toHaveAttribute("data-image", DEMO);
});
