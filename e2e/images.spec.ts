import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Page, request } from "@playwright/test";
import { DEMO_IMAGE as DEMO } from "./demo-image";
import { E2E_DATA_DIR, E2E_PORT } from "./e2e-env";
import { exportDemo } from "./export-demo";
import { ADMIN, expect, test, uiLogin, uniqueName } from "./fixtures";
import { newImage } from "./own-image";
import { ImagePage } from "./pages/image-page";
import { ImagesPage } from "./pages/images-page";
import { waitForJob } from "./wait-job";

const sha = (f: string) => execFileSync("sha256sum", [f], { encoding: "utf8" }).split(" ")[0];

/** The cycle a user does on an image page: unpack with a progress bar, pack, see the new version, roll back. */
async function cycle(page: Page, name: string, packMethod?: "xcat") {
  await new ImagesPage(page).openImage(name);
  const image = new ImagePage(page);
  const versionsBefore = await image.versions.count();
  await image.unpack();
  await expect(page.getByTestId("job-bar")).toBeVisible();
  await image.waitForJob();
  expect(Number(await page.getByTestId("job-done").getAttribute("data-value"))).toBeGreaterThan(0);
  await expect(image.workspace).toHaveText("unpacked");
  // nothing was edited: the product's own pack would publish nothing ("nothing changed"), a full one publishes
  await image.pack(packMethod, { full: !packMethod });
  await expect(image.jobProgress).toHaveAttribute("data-state", /queued|running|succeeded/);
  await image.waitForJob();
  await expect(image.versions).toHaveCount(versionsBefore + 1);
  await expect(image.liveVersion).toHaveAttribute("data-seq", String(versionsBefore + 1));
  // roll back to the version before
  await image.rollback(versionsBefore);
  await expect(image.version(versionsBefore)).toHaveAttribute("data-live", "true");
}

test("local backend: the demo image is listed; a copy of it is unpacked, packed and rolled back", async ({ page, adminApi }) => {
  await uiLogin(page, ADMIN);
  const images = await new ImagesPage(page).open();
  await expect(images.backend).toHaveText("local registry");
  const demoRow = images.row(DEMO);
  await expect(demoRow).toBeVisible();
  await expect(demoRow).toContainText("debian12 / x86_64 / compute");
  await expect(demoRow).toContainText("cpio.gz");

  // Work on an imported copy: other specs may use the demo image at the same time.
  // The import through the API shows up in the open list without a reload (the images room).
  const { name } = await newImage(adminApi, "e2e");
  await expect(images.row(name)).toBeVisible();
  await cycle(page, name);

  // Unpacking again finds the tree: nothing is deleted until the user picks "replace" AND confirms.
  const image = new ImagePage(page);
  await image.unpack();
  await expect(page.getByTestId("tree-choice")).toBeVisible();
  await expect(page.getByTestId("replace-tree")).toBeDisabled();
  await page.getByTestId("confirm-replace").check();
  await page.getByTestId("replace-tree").click();
  await image.waitForJob();
  await expect(image.workspace).toHaveText("unpacked");

  // rootimgdir holds the published archive; the archive on disk is the rolled-back version 1
  const dir = path.join(E2E_DATA_DIR, "images", name);
  const detail = await (await adminApi.get(`/api/images/${name}`)).json();
  const v1 = detail.versions.find((v: { seq: number }) => v.seq === 1);
  expect(v1.live).toBe(true);
  expect(sha(path.join(dir, "rootimg.cpio.gz"))).toBe(v1.sha256);
  const audit = await (await adminApi.get(`/api/audit?image=${name}`)).json();
  expect(JSON.stringify(audit)).toContain("image.rollback");
});

test("export download and import by upload (admin)", async ({ adminApi }) => {
  await exportDemo(adminApi);
  const dl = await adminApi.get(`/api/images/${DEMO}/export`);
  expect(dl.status()).toBe(200);
  expect(dl.headers()["content-type"]).toBe("application/gzip");
  const bundle = await dl.body();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dl-bundle-"));
  fs.writeFileSync(path.join(tmp, "b.tgz"), bundle);
  expect(execFileSync("tar", ["tzf", path.join(tmp, "b.tgz")], { encoding: "utf8" })).toContain(`./${DEMO}/manifest.xml`);
  const profile = uniqueName("up").replace(/[^A-Za-z0-9._-]/g, "");
  const up = await adminApi.put(`/api/images/upload?profile=${profile}`, { data: bundle, headers: { "content-type": "application/gzip" } });
  await waitForJob(adminApi, up);
  const img = await (await adminApi.get(`/api/images/debian12-x86_64-netboot-${profile}`)).json();
  expect(img.profile).toBe(profile);
  expect(img.archive.name).toBe("rootimg.cpio.gz");
  expect(img.versions).toHaveLength(1);
  // the uploaded file is removed after the import
  expect(fs.readdirSync(path.join(E2E_DATA_DIR, "uploads"))).toEqual([]);
});

test("roles: a viewer sees images but cannot unpack, pack, import or set retention", async ({ adminApi }) => {
  const viewer = { username: uniqueName("viewer"), password: "viewer-password-1" };
  expect((await adminApi.post("/api/users", { data: { ...viewer, role: "viewer" } })).status()).toBe(201);
  const v = await request.newContext({ baseURL: `http://127.0.0.1:${E2E_PORT}` });
  await v.post("/api/auth/login", { data: viewer });
  expect((await v.get("/api/images")).status()).toBe(200);
  expect((await v.get(`/api/images/${DEMO}`)).status()).toBe(200);
  const origin = { headers: { origin: `http://127.0.0.1:${E2E_PORT}` } };
  expect((await v.post(`/api/images/${DEMO}/unpack`, { ...origin, data: {} })).status()).toBe(403);
  expect((await v.post(`/api/images/${DEMO}/pack`, { ...origin, data: {} })).status()).toBe(403);
  expect((await v.post("/api/images/import", { ...origin, data: { path: "/tmp/x.tgz" } })).status()).toBe(403);
  expect((await v.put("/api/image-settings", { ...origin, data: { retention: 2 } })).status()).toBe(403);
  await v.dispose();
});

test("bad bundles are refused with a clear message and change nothing", async ({ adminApi }) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bad-bundle-"));
  const stage = path.join(tmp, "stage", "img");
  fs.mkdirSync(stage, { recursive: true });
  fs.writeFileSync(path.join(stage, "kernel"), "k");
  execFileSync("tar", ["czf", path.join(tmp, "nomanifest.tgz"), "."], { cwd: path.join(tmp, "stage") });
  const before = (await (await adminApi.get("/api/images")).json()).images.length;
  const r = await adminApi.post("/api/images/import", { data: { path: path.join(tmp, "nomanifest.tgz") } });
  const failed = await waitForJob(adminApi, r, { state: "failed" });
  expect(failed.error).toMatch(/Failed to find manifest.xml file in image bundle/);
  expect((await (await adminApi.get("/api/images")).json()).images.length).toBe(before);
});
