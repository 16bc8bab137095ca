// A confirmed "replace the tree" cut by a killed server, and the adoption of a big tree genimage left, in the
// browser against a server of its own (killed with SIGKILL and started again on the same data directory).
// The image is big (100k files of random data) so the unpack and the hashing take long enough to act in the
// middle of them; the data directory is on tmpfs. No timing assertions: every step waits for a state or a value.
import fs from "node:fs";
import path from "node:path";
import { type APIRequestContext, request } from "@playwright/test";
import { buildBigBundle } from "./big-bundle";
import { OWN_PORT } from "./e2e-env";
import { expect, test, uiLogin } from "./fixtures";
import { type OwnServer, startOwnServer } from "./own-server";
import { waitForJob } from "./wait-job";

const PASSWORD = "images-restart-admin-pw";
const DEMO = "demo-busybox-x86_64-netboot-compute";
const DIRS = 100;
const FILES_PER_DIR = 1000;
const NAME = "debian12-x86_64-netboot-restart";
const SHM = fs.existsSync("/dev/shm") ? "/dev/shm" : undefined;

test.describe.configure({ mode: "serial" });

let tmp = "";
let server: OwnServer | undefined;
let api: APIRequestContext | undefined;
const rootimgdir = () => path.join(tmp, "data/images", NAME);

async function start(port: number): Promise<void> {
  server = await startOwnServer({
    port,
    dataDir: path.join(tmp, "data"),
    adminPassword: PASSWORD,
    env: { ROOTIMG_XCAT_LOCK_DIR: path.join(tmp, "lock") },
  });
  // If the worker exits without running afterAll, the server must not outlive it.
  const proc = server.proc;
  process.once("exit", () => proc.kill("SIGKILL"));
  await api?.dispose();
  api = await request.newContext({ baseURL: server.baseURL, extraHTTPHeaders: { origin: server.baseURL } });
  expect((await api.post("/api/auth/login", { data: { username: "admin", password: PASSWORD } })).status()).toBe(200);
}

test.beforeAll(async () => {
  test.setTimeout(600_000);
  const port = OWN_PORT.imagesRestart;
  const stale = await fetch(`http://127.0.0.1:${port}/login`).then(
    () => true,
    () => false,
  );
  expect(stale, `port ${port} is already in use: stop the server listening there`).toBe(false);
  tmp = fs.mkdtempSync(path.join(SHM ?? "/tmp", "e2e-images-restart-"));
  await start(port);
  const exported = (
    (await waitForJob(api!, await api!.post(`/api/images/${DEMO}/export`), { timeout: 300_000 })).result as { path: string }
  ).path;

  const bundle = buildBigBundle({ tmp, exported, image: DEMO, hostname: "restart-image", dirs: DIRS, filesPerDir: FILES_PER_DIR });
  const imp = await api!.post("/api/images/import", { data: { path: bundle, profile: "restart" } });
  await waitForJob(api!, imp, { timeout: 300_000 });
  fs.rmSync(bundle, { force: true });
  // the workspace the tests replace and adopt
  const unpack = await api!.post(`/api/images/${NAME}/unpack`, { data: { mode: "unpack" } });
  await waitForJob(api!, unpack, { timeout: 300_000 });
});

test.afterAll(async () => {
  await api?.dispose().catch((e) => console.error("disposing the API client:", e));
  try {
    await server?.stop();
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("the server killed during a confirmed replace: the tree is kept, and after the restart the job log and the audit say so", async ({
  page,
}) => {
  test.setTimeout(300_000);
  const marker = path.join(rootimgdir(), "rootimg/etc/kept-marker");
  fs.writeFileSync(marker, "the tree before the replace\n");
  await uiLogin(page, { username: "admin", password: PASSWORD }, server!.baseURL);
  await page.goto(`${server!.baseURL}/images/${NAME}`);
  await page.getByTestId("unpack").click();
  await page.getByTestId("confirm-replace").check();
  await page.getByTestId("replace-tree").click();
  // the archive is being unpacked beside the tree (staged), the tree itself untouched: kill the server now
  await expect
    .poll(() => fs.readdirSync(rootimgdir()).some((f) => f.startsWith("..rootimg.staged-")), { timeout: 60_000, intervals: [10] })
    .toBe(true);
  await server!.stop("SIGKILL");
  await start(Number(new URL(server!.baseURL).port));
  const last = (await (await api!.get(`/api/images/${NAME}`)).json()).lastJob;
  expect(last).toMatchObject({ type: "image.unpack", state: "interrupted" });
  expect(server!.output()).toContain(
    `replace by job ${last.id}: the server stopped while the archive was being unpacked beside the tree; the tree was not touched`,
  );

  expect(fs.readFileSync(marker, "utf8")).toBe("the tree before the replace\n");
  expect(fs.readdirSync(rootimgdir()).filter((f) => f.startsWith(".rootimg.") || f.startsWith("..rootimg."))).toEqual([]);
  // the session survives the restart (it is in the database)
  await page.goto(`${server!.baseURL}/jobs/${last.id}`);
  await expect(page.getByTestId("job-state")).toHaveText("interrupted");
  await expect(page.getByTestId("job-log")).toContainText(
    "after restart: the server stopped while the archive was being unpacked beside the tree; the tree was not touched",
  );
  const audit = await (await api!.get(`/api/audit?image=${NAME}`)).json();
  expect(JSON.stringify(audit)).toContain("image.unpack.recover");
});

test("adopting a big tree without a pristine state: the job's bar advances to the end, then nothing is pending", async ({ page }) => {
  test.setTimeout(300_000);
  // as if genimage had left this tree: no pristine manifest beside it
  fs.rmSync(path.join(rootimgdir(), ".rootimg-studio/rootimg"), { recursive: true, force: true });
  await uiLogin(page, { username: "admin", password: PASSWORD }, server!.baseURL);
  await page.goto(`${server!.baseURL}/images/${NAME}`);
  await page.getByTestId("unpack").click();
  await page.getByTestId("use-existing").click();
  const panel = page.getByTestId("image-job");
  const seen = new Set<string>();
  await expect
    .poll(
      async () => {
        const state = await panel
          .getByTestId("job-progress")
          .getAttribute("data-state")
          .catch(() => null);
        const pct = Number(
          await panel
            .getByTestId("job-bar")
            .getAttribute("aria-valuenow")
            .catch(() => null),
        );
        if (state === "running" && pct > 0 && pct < 100) seen.add(String(pct));
        return seen.size;
      },
      { timeout: 120_000, intervals: [50] },
    )
    .toBeGreaterThanOrEqual(2);
  await expect(panel.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded", { timeout: 240_000 });
  await expect(panel.getByTestId("job-bar")).toHaveAttribute("aria-valuenow", "100");
  const last = (await (await api!.get(`/api/images/${NAME}`)).json()).lastJob;
  const job = await (await api!.get(`/api/jobs/${last.id}`)).json();
  expect(job.type).toBe("image.workspace.adopt");
  // the files, their directories, usr, usr/share, etc, etc/hostname, etc/kept-marker and the root itself
  expect(job.result.entries).toBe(DIRS * FILES_PER_DIR + DIRS + 6);
  console.log(`adoption manifest of ${job.result.entries} entries (${job.result.bytesHashed} bytes hashed) took ${job.result.ms} ms`);
  const changes = await (await api!.get(`/api/changes?image=${NAME}`)).json();
  expect(changes.images[0]).toMatchObject({ compared: true, changes: [] });
});
