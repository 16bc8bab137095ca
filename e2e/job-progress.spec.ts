// Job progress on a REAL unpack of a REAL (big) image, in the browser against a server of its own: the bar and
// numbers advance, a reload mid-job shows the running job with its log and then the live tail to the end, a
// cancelled unpack leaves nothing on disk, and the Jobs page lists the final states.
//
// The image is made slow by being big, not by anything in the product: ~160k files of random (incompressible)
// data (a real rootimg has 100k+ files; unpacking is per-file work), packed with `bin/rootimg pack`, put into a
// bundle exported by the server itself and imported through the product's import API. The data directory is on
// tmpfs (/dev/shm) so disk speed does not vary. No timing assertions: every step waits for a state or a value.
import fs from "node:fs";
import path from "node:path";
import { type APIRequestContext, type Page, request } from "@playwright/test";
import { buildBigBundle } from "./big-bundle";
import { OWN_PORT } from "./e2e-env";
import { expect, test, uiLogin } from "./fixtures";
import { type OwnServer, startOwnServer } from "./own-server";
import { waitForJob } from "./wait-job";

const PASSWORD = "job-progress-admin-pw";
const DEMO = "demo-busybox-x86_64-netboot-compute";
const DIRS = 160;
const FILES_PER_DIR = 1000;
const SHM = fs.existsSync("/dev/shm") ? "/dev/shm" : undefined;

type Snapshot = { state: string | null; pct: number | null; done: number | null; rate: boolean; eta: boolean; log: string };

test.describe.configure({ mode: "serial" });

let tmp = "";
let server: OwnServer | undefined;
let api: APIRequestContext | undefined;
const images = { progress: "", cancel: "" };
const jobs = { progress: "", cancel: "" };

const rootimgdirOf = (name: string) => path.join(tmp, "data/images", name);

async function jobState(id: string): Promise<string> {
  return (await (await api!.get(`/api/jobs/${id}`)).json()).state;
}

/** Builds the big tree, packs it, swaps it into a copy of the demo bundle the server exported, imports it twice. */
test.beforeAll(async () => {
  test.setTimeout(600_000);
  const port = OWN_PORT.jobProgress;
  // A server left on this port (by a run that was killed) would answer in place of ours: refuse to run.
  const stale = await fetch(`http://127.0.0.1:${port}/login`).then(
    () => true,
    () => false,
  );
  expect(stale, `port ${port} is already in use: stop the server listening there`).toBe(false);
  tmp = fs.mkdtempSync(path.join(SHM ?? "/tmp", "e2e-job-progress-"));
  server = await startOwnServer({
    port,
    dataDir: path.join(tmp, "data"),
    adminPassword: PASSWORD,
    env: { ROOTIMG_XCAT_LOCK_DIR: path.join(tmp, "lock") },
  });
  // If the worker exits without running afterAll, the server must not outlive it.
  const proc = server.proc;
  process.once("exit", () => proc.kill("SIGKILL"));
  api = await request.newContext({ baseURL: server.baseURL, extraHTTPHeaders: { origin: server.baseURL } });
  expect((await api.post("/api/auth/login", { data: { username: "admin", password: PASSWORD } })).status()).toBe(200);

  const exported = ((await waitForJob(api, await api.post(`/api/images/${DEMO}/export`), { timeout: 120_000 })).result as { path: string })
    .path;

  // ~330 MB of random data in 160k files under usr/share, beside a few ordinary files.
  const bundle = buildBigBundle({ tmp, exported, image: DEMO, hostname: "big-image", dirs: DIRS, filesPerDir: FILES_PER_DIR });

  for (const which of ["progress", "cancel"] as const) {
    const profile = `big-${which}`;
    const imp = await api.post("/api/images/import", { data: { path: bundle, profile } });
    await waitForJob(api, imp, { timeout: 300_000 });
    images[which] = `debian12-x86_64-netboot-${profile}`;
  }
  fs.rmSync(bundle, { force: true });
});

test.afterAll(async () => {
  // Each step even if an earlier one throws: the server and the temp dir must never be left behind.
  await api?.dispose().catch((e) => console.error("disposing the API client:", e));
  try {
    await server?.stop();
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
});

/** What the image page's job panel shows at one instant (read in one go, so state and numbers agree). */
function snapshot(page: Page): Promise<Snapshot> {
  return page.evaluate(() => {
    const box = document.querySelector('[data-testid="image-job"]');
    const q = (id: string) => box?.querySelector(`[data-testid="${id}"]`) ?? null;
    const now = q("job-bar")?.getAttribute("aria-valuenow");
    const done = q("job-done")?.getAttribute("data-value");
    return {
      state: q("job-progress")?.getAttribute("data-state") ?? null,
      pct: now == null ? null : Number(now),
      done: done == null ? null : Number(done),
      rate: !!q("job-rate"),
      eta: !!q("job-eta"),
      log: q("job-log")?.textContent ?? "",
    };
  });
}

/** Waits until the running job has shown `count` different progress values strictly between 0 and 100 %. */
async function watchProgress(page: Page, count: number, also: (s: Snapshot) => boolean = () => true): Promise<Snapshot[]> {
  const seen = new Map<number, Snapshot>();
  await expect
    .poll(
      async () => {
        const s = await snapshot(page);
        if (s.state === "running" && s.pct !== null && s.pct > 0 && s.pct < 100 && s.done !== null && also(s)) seen.set(s.done, s);
        return seen.size;
      },
      { timeout: 120_000, intervals: [50] },
    )
    .toBeGreaterThanOrEqual(count);
  return [...seen.values()].sort((a, b) => a.done! - b.done!);
}

test("unpacking a big image: the bar and numbers advance; a reload mid-job shows progress and log, then the live tail to the end", async ({
  page,
}) => {
  test.setTimeout(300_000);
  const name = images.progress;
  const rootimgdir = rootimgdirOf(name);
  await uiLogin(page, { username: "admin", password: PASSWORD }, server!.baseURL);
  await page.goto(`${server!.baseURL}/images/${name}`);
  await expect(page.getByTestId("image-workspace")).toHaveText("packed");
  await page.getByTestId("unpack").click();
  const panel = page.getByTestId("image-job");
  await expect(panel.getByTestId("job-progress")).toHaveAttribute("data-state", "running", { timeout: 60_000 });

  // 1. the bar and the numbers advance, with rate and time left
  const before = await watchProgress(page, 2);
  expect(before[1].pct!).toBeGreaterThanOrEqual(before[0].pct!);
  await watchProgress(page, 1, (s) => s.rate && s.eta);
  await expect(panel.getByTestId("job-total")).toHaveAttribute(
    "data-value",
    String(fs.statSync(path.join(rootimgdir, "rootimg.cpio.gz")).size),
  );
  jobs.progress = (await (await api!.get(`/api/images/${name}`)).json()).lastJob.id;
  expect(await jobState(jobs.progress)).toBe("running");

  // 2. reload in the middle: the page finds the running job again, with its progress and the log so far ...
  await page.reload();
  await expect(page.getByTestId("image-page")).toHaveAttribute("data-image", name);
  await panel.locator("summary").getByText("Log").click(); // the unpack log is folded; open it like a user
  const after = await watchProgress(page, 1, (s) =>
    s.log.includes(`unpacking ${path.join(rootimgdir, "rootimg.cpio.gz")} into ${path.join(rootimgdir, "rootimg")}`),
  );
  // ... and then the live tail: further values, then the end
  await watchProgress(page, 1, (s) => s.done! > after[0].done!);
  await expect(panel.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded", { timeout: 240_000 });
  await expect(panel.getByTestId("job-state")).toHaveText("succeeded");
  await expect(panel.getByTestId("job-bar")).toHaveAttribute("aria-valuenow", "100");
  // entries: the files, their directories, usr, usr/share, etc, etc/hostname and the root itself
  await expect(panel.getByTestId("job-log")).toContainText(`unpacked ${DIRS * FILES_PER_DIR + DIRS + 5} entries`);
  await expect(page.getByTestId("image-workspace")).toHaveText("unpacked");

  // on disk: the tree is in place, with the data of the archive
  expect(fs.readdirSync(path.join(rootimgdir, "rootimg/usr/share/data0"))).toHaveLength(FILES_PER_DIR);
  expect(fs.statSync(path.join(rootimgdir, `rootimg/usr/share/data${DIRS - 1}/blob${FILES_PER_DIR - 1}`)).size).toBe(2048);
  const job = await (await api!.get(`/api/jobs/${jobs.progress}`)).json();
  expect(job.state).toBe("succeeded");
  // for the record only (no timing assertion): how long the unpack ran
  console.log(`unpack of ${job.total} bytes took ${Date.parse(job.finishedAt) - Date.parse(job.startedAt)} ms`);
});

test("cancelling an unpack of a big image from the page: state cancelled, no tree and no temp directory left", async ({ page }) => {
  test.setTimeout(300_000);
  const name = images.cancel;
  const rootimgdir = rootimgdirOf(name);
  const listingBefore = fs.readdirSync(rootimgdir).sort();
  expect(listingBefore).not.toContain("rootimg");
  await uiLogin(page, { username: "admin", password: PASSWORD }, server!.baseURL);
  await page.goto(`${server!.baseURL}/images/${name}`);
  await page.getByTestId("unpack").click();
  const panel = page.getByTestId("image-job");
  await watchProgress(page, 1);
  // mid-unpack the temp directory beside the workspace exists (this is what the cancel must remove)
  expect(fs.readdirSync(rootimgdir).some((f) => f.startsWith(".rootimg.unpack-"))).toBe(true);
  await panel.getByTestId("job-cancel").click();
  await expect(panel.getByTestId("job-progress")).toHaveAttribute("data-state", "cancelled", { timeout: 120_000 });
  await expect(panel.getByTestId("job-error")).toContainText("cancelled by admin");
  await expect(page.getByTestId("image-workspace")).toHaveText("packed");
  jobs.cancel = (await (await api!.get(`/api/images/${name}`)).json()).lastJob.id;
  expect(await jobState(jobs.cancel)).toBe("cancelled");

  // on disk: exactly what was there before the unpack (no rootimg/, no .rootimg.unpack-*, nothing else new)
  expect(fs.existsSync(path.join(rootimgdir, "rootimg"))).toBe(false);
  expect(fs.readdirSync(rootimgdir).sort()).toEqual(listingBefore);
});

test("the Jobs page lists both unpacks with their final states", async ({ page }) => {
  expect(jobs.progress && jobs.cancel).toBeTruthy();
  await uiLogin(page, { username: "admin", password: PASSWORD }, server!.baseURL);
  await page.goto(`${server!.baseURL}/jobs`);
  const done = page.locator(`[data-testid="job-row"][data-job-id="${jobs.progress}"]`);
  const cancelled = page.locator(`[data-testid="job-row"][data-job-id="${jobs.cancel}"]`);
  await expect(done).toContainText("image.unpack");
  await expect(done).toContainText(images.progress);
  await expect(done.locator(".badge")).toHaveText("succeeded");
  await expect(cancelled).toContainText("image.unpack");
  await expect(cancelled).toContainText(images.cancel);
  await expect(cancelled.locator(".badge")).toHaveText("cancelled");
  // the job page of the finished one shows the final outcome and the whole log
  await done.getByRole("link").click();
  await expect(page.getByTestId("job-detail")).toHaveAttribute("data-job-id", jobs.progress);
  await expect(page.getByTestId("job-state")).toHaveText("succeeded");
  await expect(page.getByTestId("job-log")).toContainText("unpacked");
  await expect(page.getByTestId("job-result")).toContainText('"entries"');
});
