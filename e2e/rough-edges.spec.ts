// What a new admin tripped over, checked in the browser: readable primary buttons on hover, presence that
// follows reloads, closed pages and dropped sockets, double clicks on job buttons, control characters in names, a refused
// bundle import, a pack with nothing to publish, a finished job's bar and badges, readable audit details and job
// results, and the System (health) page.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import type { APIRequestContext, Page } from "@playwright/test";
import { E2E_DATA_DIR } from "./e2e-env";
import { exportDemo } from "./export-demo";
import { ADMIN, apiAs, createUser, expect, test, uiLogin, uniqueName } from "./fixtures";
import { newImage } from "./own-image";
import { waitForJob } from "./wait-job";

test.describe.configure({ mode: "serial" });

let admin: APIRequestContext;
let image: string;
let tree: string;

test.beforeAll(async () => {
  test.setTimeout(300_000);
  admin = await apiAs(ADMIN);
  // An imported copy of the demo image of its own: the checks below pack and export it.
  ({ name: image, tree } = await newImage(admin, "rough", { unpacked: true }));
});

/** WCAG contrast ratio of two CSS rgb() colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

async function hoverColours(page: Page, testId: string) {
  const button = page.getByTestId(testId);
  await button.hover();
  return button.evaluate((el) => {
    const s = getComputedStyle(el);
    return { color: s.color, background: s.backgroundColor };
  });
}

test("primary buttons stay readable on hover: Sign in, Create user, Pack", async ({ page }) => {
  await page.goto("/login");
  await page.getByTestId("login-username").fill("admin"); // enabled state, as a user sees it
  const signIn = await hoverColours(page, "login-submit");
  expect(contrast(signIn.color, signIn.background), JSON.stringify(signIn)).toBeGreaterThanOrEqual(4.5);

  await uiLogin(page, ADMIN);
  await page.goto("/users");
  const create = await hoverColours(page, "user-create");
  expect(contrast(create.color, create.background), JSON.stringify(create)).toBeGreaterThanOrEqual(4.5);

  await page.goto(`/images/${encodeURIComponent(image)}`);
  const pack = await hoverColours(page, "pack");
  expect(contrast(pack.color, pack.background), JSON.stringify(pack)).toBeGreaterThanOrEqual(4.5);
});

test("a pack with nothing changed publishes nothing and says since which version", async ({ page }) => {
  await uiLogin(page, ADMIN);
  await page.goto(`/images/${encodeURIComponent(image)}`);
  await expect(page.getByTestId("version-row").first()).toBeVisible();
  const versions = await page.getByTestId("version-row").count();
  await page.getByTestId("pack").click();
  await expect(page.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("image-job")).toContainText(/nothing changed since version \d+: nothing was published/);
  await page.reload();
  await expect(page.getByTestId("version-row").first()).toBeVisible();
  await expect(page.getByTestId("version-row")).toHaveCount(versions);
});

test("double clicks on Pack and Export start one job each, with no error for the user's own click", async ({ page }) => {
  fs.writeFileSync(path.join(tree, "etc/motd"), `double click ${Date.now()}\n`);
  await uiLogin(page, ADMIN);
  await page.goto(`/images/${encodeURIComponent(image)}`);
  await expect(page.getByTestId("version-row").first()).toBeVisible();
  const versions = await page.getByTestId("version-row").count();
  const jobsOf = async (type: string) =>
    ((await (await admin.get(`/api/jobs?image=${encodeURIComponent(image)}&limit=100`)).json()).jobs as { type: string }[]).filter(
      (j) => j.type === type,
    ).length;
  const packsBefore = await jobsOf("image.pack");
  const card = page.getByTestId("image-job");
  await page.getByTestId("pack").dblclick();
  await expect(card.locator(".job-type")).toHaveText("image.pack");
  await expect(card.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("image-action-error")).toHaveCount(0);
  await expect(page.getByTestId("version-row")).toHaveCount(versions + 1);
  expect(await jobsOf("image.pack")).toBe(packsBefore + 1);

  const exportsBefore = await jobsOf("image.export");
  await page.getByTestId("export").dblclick();
  await expect(card.locator(".job-type")).toHaveText("image.export");
  await expect(card.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("image-action-error")).toHaveCount(0);
  expect(await jobsOf("image.export")).toBe(exportsBefore + 1);
  // the export's progress is in bytes, complete at the end
  await expect(card.getByTestId("job-total")).toContainText(/B$/);
  // ...and two exports asked for at once: one runs, the other is refused like a second pack
  const both = await Promise.all([admin.post(`/api/images/${image}/export`), admin.post(`/api/images/${image}/export`)]);
  expect(both.map((r) => r.status()).sort()).toEqual([202, 409]);
  const refused = both.find((r) => r.status() === 409)!;
  expect((await refused.json()).error.message).toMatch(/already running|busy/);
  await waitForJob(admin, both.find((r) => r.status() === 202)!);
});

test("names with control characters show as escapes, and are refused when typed", async ({ page }) => {
  const dir = uniqueName("ctl").replace(/[^A-Za-z0-9._-]/g, "");
  fs.mkdirSync(path.join(tree, "tmp", dir));
  fs.writeFileSync(path.join(tree, "tmp", dir, "line1\nline2"), "came with the image\n");
  fs.writeFileSync(path.join(tree, "tmp", dir, "line1 line2"), "a different file\n");
  await uiLogin(page, ADMIN);
  await page.goto(`/images/${encodeURIComponent(image)}/files?path=${encodeURIComponent(`/tmp/${dir}/line1 line2`)}`);
  // the link's file is selected first (its details shown), then the user clicks the other one
  await expect(page.getByTestId("details-path")).toHaveText(`/tmp/${dir}/line1 line2`);
  const rows = page.getByTestId("tree-row").filter({ hasText: /line1/ });
  await expect(rows).toHaveCount(2);
  // the two names no longer look the same: the newline is an escape, in its own marked span
  await expect(rows.filter({ hasText: "line1\\nline2" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "line1\\nline2" }).getByTestId("ctl-char")).toHaveText("\\n");
  await rows.filter({ hasText: "line1\\nline2" }).click();
  await expect(page.getByTestId("details-path")).toHaveText(`/tmp/${dir}/line1\\nline2`);

  // typing one: a tab survives an <input> (a newline does not), and is refused before anything is sent
  await page
    .getByTestId("tree-row")
    .and(page.locator(`[data-path="/tmp/${dir}"]`))
    .click();
  await page.getByTestId("new-file").click();
  await page.getByTestId("prompt-input").fill("tab\there");
  await page.getByTestId("prompt-ok").click();
  await expect(page.getByTestId("prompt-error")).toContainText('"tab\\there" contains a control character');
  expect(fs.existsSync(path.join(tree, "tmp", dir, "tab\there"))).toBe(false);
  // the API refuses it too (a newline can only come this way)
  const api = await admin.post(`/api/images/${image}/files/create`, { data: { path: `/tmp/${dir}/new\nline`, type: "file" } });
  expect(api.status()).toBe(422);
  expect((await api.json()).error.message).toMatch(/control character/);
});

test("uploading a name that exists asks first, before any byte of the file is sent", async ({ page }) => {
  const name = `${uniqueName("big")}.bin`;
  fs.writeFileSync(path.join(tree, "tmp", name), "already here\n");
  await uiLogin(page, ADMIN);
  await page.goto(`/images/${encodeURIComponent(image)}/files?path=${encodeURIComponent(`/tmp/${name}`)}`);
  await page.locator('[data-testid=tree-row][data-path="/tmp"]').click();
  const puts: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "PUT" && r.url().includes("/files/upload")) puts.push(r.url());
  });
  await page.getByTestId("upload-input").setInputFiles({ name, mimeType: "application/octet-stream", buffer: Buffer.alloc(8 << 20, 1) });
  const upload = page.getByTestId("upload-row").filter({ hasText: name });
  await expect(upload).toHaveAttribute("data-state", "conflict");
  await expect(upload).toContainText("0 B / 8.0 MiB exists:");
  expect(puts).toEqual([]);
  // the choice made, the file goes
  await upload.getByTestId("upload-replace").click();
  await expect(upload).toHaveAttribute("data-state", "done");
  expect(puts).toHaveLength(1);
  expect(fs.statSync(path.join(tree, "tmp", name)).size).toBe(8 << 20);
});

test("presence: a reloaded page is not another editor of its own file, and a closed page leaves at once", async ({ browser }) => {
  test.setTimeout(120_000); // two browsers signing in on a loaded machine
  const editor = await createUser(admin, "editor");
  const file = "/etc/hostname";
  const url = `/images/${encodeURIComponent(image)}/files?path=${encodeURIComponent(file)}`;
  const a = await browser.newContext();
  const pa = await a.newPage();
  await uiLogin(pa, ADMIN);
  await pa.goto(url);
  const tab = pa.locator(`[data-testid=editor-tab][data-path="${file}"]`);
  await expect(tab).toBeVisible();
  await pa.reload();
  await expect(tab).toBeVisible();
  await expect(pa.getByTestId("file-browser")).toHaveAttribute("data-live", "true");
  // one heartbeat after the reload has answered: only this tab is listed
  await pa.waitForResponse((r) => r.url().endsWith("/files/presence"));
  await expect(tab.getByTestId("tab-presence")).toHaveCount(0);
  await expect(pa.getByTestId("presence-users")).toHaveText("");

  const b = await browser.newContext();
  const pb = await b.newPage();
  await uiLogin(pb, editor);
  await pb.goto(url);
  await expect(pb.locator(`[data-testid=editor-tab][data-path="${file}"]`).getByTestId("tab-presence")).toContainText("admin");
  await expect(pb.getByTestId("presence-users")).toContainText(`here: `);
  await pa.close(); // the page is closed: no more heartbeats, and a leave on the way out
  await a.close();
  // well before the 30 s a silent tab takes to expire
  await expect(pb.getByTestId("presence-users")).toHaveText("", { timeout: 8_000 });
  await expect(pb.getByTestId("tab-presence")).toHaveCount(0);
  await b.close();
});

test("presence: a tab that vanishes without unloading (its renderer crashed) leaves as soon as its socket ends", async ({ browser }) => {
  test.setTimeout(120_000); // two browsers signing in on a loaded machine
  const editor = await createUser(admin, "editor");
  const file = "/etc/hostname";
  const url = `/images/${encodeURIComponent(image)}/files?path=${encodeURIComponent(file)}`;
  const a = await browser.newContext();
  const pa = await a.newPage();
  await uiLogin(pa, ADMIN);
  // the heartbeat that binds this tab's presence to its socket
  const bound = pa.waitForRequest((r) => r.url().endsWith("/files/presence") && Boolean(JSON.parse(r.postData() ?? "{}").socketId));
  await pa.goto(url);
  await expect(pa.getByTestId("file-browser")).toHaveAttribute("data-live", "true");
  await bound;

  const b = await browser.newContext();
  const pb = await b.newPage();
  await uiLogin(pb, editor);
  await pb.goto(url);
  await expect(pb.getByTestId("presence-users")).toContainText("here: ");
  await expect(pb.locator(`[data-testid=editor-tab][data-path="${file}"]`).getByTestId("tab-presence")).toContainText("admin");
  // No pagehide, no beacon, no more heartbeats: only the socket's end tells the server the tab is gone.
  const cdp = await a.newCDPSession(pa);
  // not awaited: the page is gone before it could answer, and the call never settles
  void cdp.send("Page.crash").catch(() => {});
  // well before the 30 s a silent tab takes to expire
  await expect(pb.getByTestId("presence-users")).toHaveText("", { timeout: 8_000 });
  await expect(pb.getByTestId("tab-presence")).toHaveCount(0);
  await a.close();
  await b.close();
});

/** A cpio (newc) header of a regular file `name` claiming `size` bytes. */
function cpioHeader(name: string, size: number): Buffer {
  const f = [1, 0o100644, 0, 0, 1, 0, size, 0, 0, 0, 0, name.length + 1, 0].map((n) => n.toString(16).padStart(8, "0")).join("");
  const head = Buffer.from(`070701${f}${name}\0`);
  return Buffer.concat([head, Buffer.alloc((4 - (head.length % 4)) % 4)]);
}

const badArchives: [string, () => Buffer][] = [
  ["is garbage", () => Buffer.alloc(64 * 1024, 0x41)],
  // one entry claiming 4 GB with a few bytes behind it: the archive ends long before the entry does
  ["holds an entry claiming 4 GB", () => zlib.gzipSync(Buffer.concat([cpioHeader("etc/huge", 0xffffffff), Buffer.alloc(4096, 7)]))],
];

for (const [what, archive] of badArchives) {
  test(`an import whose archive ${what} is refused with the verifier's message and creates no image`, async ({ page }) => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-bad-bundle-"));
    const bundle = await exportDemo(admin);
    const work = path.join(tmp, "x");
    fs.mkdirSync(work);
    execFileSync("tar", ["-xzf", bundle, "-C", work]);
    const [top] = fs.readdirSync(work);
    fs.writeFileSync(path.join(work, top, "rootimg.cpio.gz"), archive());
    const bad = path.join(tmp, "bad.tgz");
    execFileSync("tar", ["-czf", bad, "-C", work, top]);
    const profile = uniqueName("bad").replace(/[^A-Za-z0-9._-]/g, "");

    await uiLogin(page, ADMIN);
    await page.goto("/images");
    await page.getByTestId("import-file").setInputFiles(bad);
    await page.getByTestId("import-profile").fill(profile);
    await page.getByTestId("import-upload-submit").click();
    const card = page.getByTestId("import-image");
    await expect(card.getByTestId("job-progress")).toHaveAttribute("data-state", "failed", { timeout: 60_000 });
    await expect(card.getByTestId("job-error")).toContainText("image bundle refused: rootimg.cpio.gz is not a valid root image archive");
    await expect(card.getByTestId("job-error")).toContainText("nothing was imported");
    expect((await admin.get(`/api/images/debian12-x86_64-netboot-${profile}`)).status()).toBe(404);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
}

/**
 * Records, on every frame the page paints from now on, what the image page's job card and badges show
 * together once the card says the job succeeded: a bar not full yet, or a badge still saying the job runs.
 */
async function watchFinishedFrames(page: Page): Promise<() => Promise<{ frames: number; wrong: string[] }>> {
  await page.evaluate(() => {
    const w = window as unknown as { __watch: { frames: number; wrong: string[]; stop: boolean } };
    w.__watch = { frames: 0, wrong: [], stop: false };
    const tick = () => {
      const card = document.querySelector("[data-testid=image-job] [data-testid=job-progress]");
      if (card?.getAttribute("data-state") === "succeeded") {
        w.__watch.frames++;
        const bar = card.querySelector("[data-testid=job-bar]") as HTMLElement;
        const fill = bar.firstElementChild as HTMLElement;
        const full = fill.getBoundingClientRect().width / bar.getBoundingClientRect().width;
        const workspace = document.querySelector("[data-testid=image-workspace]")?.textContent ?? "";
        const lock = document.querySelector("[data-testid=image-lock]")?.textContent ?? "";
        const label = card.querySelector(".job-numbers")?.textContent ?? "";
        if (full < 0.995 || /ing$/.test(workspace) || lock)
          w.__watch.wrong.push(`bar ${(full * 100).toFixed(1)}% "${label}", badges "${workspace}" "${lock}"`);
      }
      if (!w.__watch.stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  return () =>
    page.evaluate(() => {
      const w = window as unknown as { __watch: { frames: number; wrong: string[]; stop: boolean } };
      w.__watch.stop = true;
      return { frames: w.__watch.frames, wrong: w.__watch.wrong };
    });
}

test("a finished unpack's bar is full in the frame its label says 100 %, and a finished pack's badges agree with its card", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const { name, tree: own } = await newImage(admin, "rough-bar");
  await uiLogin(page, ADMIN);
  await page.goto(`/images/${encodeURIComponent(name)}`);
  const card = page.getByTestId("image-job");
  let stop = await watchFinishedFrames(page);
  await page.getByTestId("unpack").click();
  await expect(card.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded", { timeout: 90_000 });
  await expect(card.getByTestId("job-bar")).toHaveAttribute("aria-valuenow", "100");
  await expect(card.locator(".job-numbers")).toContainText("(100%)");
  await expect(page.getByTestId("image-workspace")).toHaveText("unpacked");
  let seen = await stop();
  expect(seen.frames).toBeGreaterThan(0);
  expect(seen.wrong).toEqual([]);

  fs.writeFileSync(path.join(own, "etc/motd"), `badges ${Date.now()}\n`);
  stop = await watchFinishedFrames(page);
  await page.getByTestId("pack").click();
  await expect(card.locator(".job-type")).toHaveText("image.pack");
  await expect(card.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded", { timeout: 90_000 });
  await expect(page.getByTestId("image-workspace")).toHaveText("unpacked");
  await expect(page.getByTestId("image-lock")).toHaveCount(0);
  seen = await stop();
  expect(seen.frames).toBeGreaterThan(0);
  expect(seen.wrong).toEqual([]);
});

test("an audit entry's detail and a job's result read as labelled fields, with the raw JSON behind a toggle", async ({ page }) => {
  const job = await waitForJob(admin, await admin.post(`/api/images/${image}/export`));
  const size = (job.result as { size: number }).size;
  await uiLogin(page, ADMIN);
  await page.goto(`/jobs/${job.id}`);
  const fields = page.getByTestId("job-result-fields");
  await expect(fields).toBeVisible();
  await expect(fields.locator(".field").filter({ hasText: /^size/ }).locator("dd")).toHaveText(
    new RegExp(`^[\\d.]+ (KiB|MiB|GiB) \\(${size.toLocaleString("en")} bytes\\)$`),
  );
  await expect(fields.locator(".field").filter({ hasText: /^path/ }).locator("dd")).toHaveText(/\.tgz$/);
  const raw = page.getByTestId("job-result");
  await expect(raw).toBeHidden();
  await page.getByText("raw JSON").click();
  await expect(raw).toBeVisible();
  expect(JSON.parse((await raw.textContent()) as string)).toEqual(job.result);

  await page.getByTestId("nav-audit").click();
  await page.getByTestId("audit-filter-image").fill(image);
  await page.getByTestId("audit-filter-action").fill("image.export");
  await page.getByTestId("audit-apply").click();
  const row = page.getByTestId("audit-row").filter({ hasText: job.id }).first();
  await expect(row.locator(".fields dt").first()).toHaveText("job id");
  await expect(row.locator(".fields dd").first()).toHaveText(job.id);
  await expect(row.locator("pre")).toBeHidden();
  await row.getByText("raw JSON").click();
  await expect(row.locator("pre")).toBeVisible();
  expect(JSON.parse((await row.locator("pre").textContent()) as string).jobId).toBe(job.id);
});

test("System page: the admin sees the health checks; GET /api/health answers without a session", async ({ page, request }) => {
  const anon = await request.get("/api/health");
  expect(anon.status()).toBe(200);
  const body = await anon.json();
  expect(body.checks.find((c: { name: string }) => c.name === "database").status).toBe("ok");
  expect(JSON.stringify(body)).not.toContain(E2E_DATA_DIR); // no paths without a session

  await uiLogin(page, ADMIN);
  await page.getByTestId("nav-system").click();
  await expect(page.getByTestId("health-table")).toBeVisible();
  await expect(page.getByTestId("health-database")).toContainText("reachable");
  await expect(page.getByTestId("health-backend")).toContainText("local registry answered");
  await expect(page.getByTestId("health-table")).toContainText(E2E_DATA_DIR);
  await expect(page.getByTestId("health-status")).toHaveText(/^(ok|warning)$/);
});
