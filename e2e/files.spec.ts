import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "@playwright/test";
import { ADMIN, apiAs, createUser, expect, test, uiLogin, uniqueName } from "./fixtures";
import { newImage } from "./own-image";
import { FilesPage } from "./pages/files-page";

// Browsing and editing in the browser, on an unpacked image of this worker's own; every check on disk reads
// the real unpacked tree.
let IMAGE: string;
let tree: string;
let editor: Awaited<ReturnType<typeof createUser>>;
test.beforeAll(async () => {
  test.setTimeout(180_000);
  const admin = await apiAs(ADMIN);
  ({ name: IMAGE, tree } = await newImage(admin, "files", { unpacked: true }));
  editor = await createUser(admin, "editor");
  await admin.dispose();
});

const files = (page: Page) => new FilesPage(page, IMAGE);
const row = (page: Page, p: string) => files(page).row(p);
const openFile = (page: Page, p: string) => files(page).openFile(p);
const typeAtEnd = (page: Page, text: string) => files(page).typeAtEnd(text);

async function openFilesPage(page: Page, creds: { username: string; password: string }) {
  await uiLogin(page, creds);
  await files(page).goto();
}

test("browse, open /etc/motd, edit and save: same mode and owner on disk", async ({ page }) => {
  const motd = path.join(tree, "etc/motd");
  fs.chownSync(motd, 1001, 1001);
  fs.chmodSync(motd, 0o640);
  await openFilesPage(page, editor);
  await row(page, "/etc").click();
  await row(page, "/etc/motd").click();
  await expect(page.getByTestId("details-owner")).toContainText("(1001)");
  await expect(page.getByTestId("code-editor")).toContainText("Welcome");
  const marker = `edited by e2e ${uniqueName("m")}`;
  await typeAtEnd(page, marker);
  await expect(page.locator('[data-testid=editor-tab][data-path="/etc/motd"]')).toHaveAttribute("data-modified", "true");
  await page.getByTestId("save-file").click();
  await expect(page.getByTestId("save-message")).toHaveText("Saved");
  await expect(page.locator('[data-testid=editor-tab][data-path="/etc/motd"]')).toHaveAttribute("data-modified", "false");
  const st = fs.statSync(motd);
  expect(fs.readFileSync(motd, "utf8")).toContain(marker);
  expect([st.mode & 0o7777, st.uid, st.gid]).toEqual([0o640, 1001, 1001]);
  // the details panel shows the saved file, not the snapshot from before the save
  await expect(page.getByTestId("details-panel")).toContainText(`(${st.size.toLocaleString("en")} bytes)`);
  // the save is a pending change of the image and marks the file changed in the tree
  await expect(row(page, "/etc/motd")).toHaveAttribute("data-changed", "true");
});

test("keyboard navigation, filter, name search and the binary view", async ({ page }) => {
  await openFilesPage(page, editor);
  await row(page, "/etc").click();
  await expect(row(page, "/etc/munge")).toBeVisible();
  await page.getByTestId("file-tree").focus();
  await page.keyboard.press("ArrowDown");
  await expect(row(page, "/etc/munge")).toHaveAttribute("data-selected", "true");
  await page.keyboard.press("ArrowRight");
  await expect(row(page, "/etc/munge/munge.key")).toBeVisible();
  await page.keyboard.press("ArrowLeft");
  await expect(row(page, "/etc/munge/munge.key")).toHaveCount(0);
  await page.getByTestId("tree-filter").fill("hostn");
  await expect(page.getByTestId("tree-row")).toHaveCount(2); // /etc and /etc/hostname
  await page.getByTestId("tree-filter").fill("");
  await page.getByTestId("name-search").fill("sshd_config");
  await page.getByTestId("name-search").press("Enter");
  await page.getByTestId("search-hit").filter({ hasText: "/etc/ssh/sshd_config" }).click();
  await expect(page.locator('[data-testid=editor-tab][data-path="/etc/ssh/sshd_config"]')).toBeVisible();
  await expect(page.getByTestId("editor-status")).toContainText("sshconfig");
  await page.getByTestId("jump-path").fill("/bin/busybox");
  await page.getByTestId("jump-path").press("Enter");
  await expect(page.getByTestId("hex-preview")).toContainText("7f 45 4c 46");
  await expect(page.getByTestId("binary-download")).toBeVisible();
  // at 1280 px the ASCII column is not cut off: the rows fit the panel without scrolling
  await expect(page.getByTestId("hex-preview")).toContainText("|.ELF");
  const fit = await page.getByTestId("hex-preview").evaluate((el) => {
    const pane = el.closest("[data-testid=binary-view]") as HTMLElement;
    // the end of the first row ("...|.ELF....|") must be inside the visible part of the preview and the panel
    const text = el.firstChild as Text;
    const range = document.createRange();
    const end = (text.textContent ?? "").indexOf("\n");
    range.setStart(text, end - 1);
    range.setEnd(text, end);
    const bar = range.getBoundingClientRect();
    const box = el.getBoundingClientRect();
    const panel = pane.getBoundingClientRect();
    return { noScroll: el.scrollWidth <= el.clientWidth + 1, barVisible: bar.right <= Math.min(box.right, panel.right) + 0.5 };
  });
  expect(fit).toEqual({ noScroll: true, barVisible: true });
});

test("a latin-1 file with CRLF line endings keeps every byte the user did not edit", async ({ page }) => {
  const name = `${uniqueName("legacy")}.conf`;
  const file = path.join(tree, "tmp", name);
  fs.writeFileSync(file, Buffer.from("caf\xe9=1\r\nna\xefve=2\r\n", "latin1"));
  await openFilesPage(page, editor);
  await openFile(page, `/tmp/${name}`);
  await expect(page.getByTestId("file-encoding")).toHaveText("latin-1");
  await expect(page.getByTestId("code-editor")).toContainText("café=1");
  await typeAtEnd(page, "x=3");
  await page.getByTestId("save-file").click();
  await expect(page.getByTestId("save-message")).toHaveText("Saved");
  expect(fs.readFileSync(file).equals(Buffer.from("caf\xe9=1\r\nna\xefve=2\r\nx=3", "latin1"))).toBe(true);
});

test("leaving the page with unsaved changes asks first", async ({ page }) => {
  await openFilesPage(page, editor);
  await openFile(page, "/etc/hostname");
  await typeAtEnd(page, "# not saved");
  await expect(page.locator('[data-testid=editor-tab][data-path="/etc/hostname"]')).toHaveAttribute("data-modified", "true");
  const dialog = page.waitForEvent("dialog");
  await page.close({ runBeforeUnload: true });
  const d = await dialog;
  expect(d.type()).toBe("beforeunload");
  await d.accept();
  expect(fs.readFileSync(path.join(tree, "etc/hostname"), "utf8")).not.toContain("# not saved");
});

test("change a mode from the details panel; setuid is refused to an editor with the reason", async ({ page }) => {
  // a file of its own: parallel runs of this spec (several workers, --repeat-each) must not change each other's files
  const name = `${uniqueName("mode")}.sh`;
  fs.writeFileSync(path.join(tree, "tmp", name), "#!/bin/sh\n", { mode: 0o644 });
  await openFilesPage(page, editor);
  await openFile(page, `/tmp/${name}`);
  await expect(page.getByTestId("details-path")).toHaveText(`/tmp/${name}`);
  await page.getByTestId("attr-mode").fill("4750");
  await page.getByTestId("attr-apply").click();
  await expect(page.getByTestId("attr-message")).toContainText("setuid needs the admin role");
  expect(fs.statSync(path.join(tree, "tmp", name)).mode & 0o7777).toBe(0o644);
  await page.getByTestId("attr-mode").fill("0750");
  await page.getByTestId("attr-apply").click();
  await expect(page.getByTestId("details-mode")).toContainText("-rwxr-x--- (0750)");
  expect(fs.statSync(path.join(tree, "tmp", name)).mode & 0o7777).toBe(0o750);
  await page.getByTestId("attr-mode").fill("0644");
  await page.getByTestId("attr-apply").click();
  await expect(page.getByTestId("details-mode")).toContainText("(0644)");
});

test("create, rename and delete files", async ({ page }) => {
  const name = `${uniqueName("new")}.conf`;
  await openFilesPage(page, editor);
  await row(page, "/tmp").click();
  await page.getByTestId("new-file").click();
  await page.getByTestId("prompt-input").fill(name);
  await page.getByTestId("prompt-ok").click();
  await expect(row(page, `/tmp/${name}`)).toBeVisible();
  expect(fs.existsSync(path.join(tree, "tmp", name))).toBe(true);
  await row(page, `/tmp/${name}`).click();
  await page.getByTestId("rename").click();
  await page.getByTestId("prompt-input").fill(`renamed-${name}`);
  await page.getByTestId("prompt-ok").click();
  await expect(row(page, `/tmp/renamed-${name}`)).toBeVisible();
  expect(fs.existsSync(path.join(tree, "tmp", name))).toBe(false);
  expect(fs.existsSync(path.join(tree, "tmp", `renamed-${name}`))).toBe(true);
  // the selection follows the rename once the new name's details arrived: only then does Delete mean the renamed file
  await expect(page.getByTestId("details-path")).toHaveText(`/tmp/renamed-${name}`);
  page.once("dialog", (d) => d.accept());
  await page.getByTestId("delete").click();
  await expect(row(page, `/tmp/renamed-${name}`)).toHaveCount(0);
  expect(fs.existsSync(path.join(tree, "tmp", `renamed-${name}`))).toBe(false);
});

test("upload a file and download it and its directory", async ({ page }) => {
  const name = `${uniqueName("up")}.txt`;
  const content = `uploaded ${name}\n`;
  await openFilesPage(page, editor);
  await row(page, "/tmp").click();
  await page.getByTestId("upload-input").setInputFiles({ name, mimeType: "text/plain", buffer: Buffer.from(content) });
  await expect(page.getByTestId("upload-row").filter({ hasText: name })).toHaveAttribute("data-state", "done");
  expect(fs.readFileSync(path.join(tree, "tmp", name), "utf8")).toBe(content);
  expect(fs.statSync(path.join(tree, "tmp", name)).mode & 0o777).toBe(0o644);
  await row(page, `/tmp/${name}`).click();
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download").click()]);
  expect(fs.readFileSync(await file.path(), "utf8")).toBe(content);
  await row(page, "/tmp").click();
  // the link follows the selection once it changed: clicking earlier downloads the file again
  await expect(page.getByTestId("download")).toHaveAttribute("href", /path=%2Ftmp$/);
  const [tar] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download").click()]);
  expect(tar.suggestedFilename()).toBe("tmp.tar");
  expect(fs.readFileSync(await tar.path()).includes(Buffer.from(`tmp/${name}`))).toBe(true);
  // the same name again: the user chooses to keep both
  await page.getByTestId("upload-input").setInputFiles({ name, mimeType: "text/plain", buffer: Buffer.from("second\n") });
  await page.getByTestId("upload-keep-both").click();
  await expect.poll(() => fs.existsSync(path.join(tree, "tmp", name.replace(".txt", "-1.txt")))).toBe(true);
});

async function editorPage(browser: Browser) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await openFilesPage(page, editor);
  return { ctx, page };
}

test("two browsers editing the same file: the second save gets a conflict and merges", async ({ browser }) => {
  // a copy of /etc/hosts of its own, so that parallel runs of this spec do not add conflicts of their own
  const hosts = `/tmp/${uniqueName("hosts")}`;
  fs.copyFileSync(path.join(tree, "etc/hosts"), path.join(tree, hosts));
  const a = await editorPage(browser);
  const b = await editorPage(browser);
  await openFile(a.page, hosts);
  await openFile(b.page, hosts);
  await expect(a.page.getByTestId("tab-presence")).toBeVisible(); // A sees that someone else has it open
  // B's socket has joined the image's room (the presence above came over HTTP): A's save event reaches it
  await expect(b.page.getByTestId("file-browser")).toHaveAttribute("data-live", "true");
  await typeAtEnd(a.page, "10.0.0.1 from-a\n");
  await a.page.keyboard.press("Control+s");
  await expect(a.page.getByTestId("save-message")).toHaveText("Saved");
  await expect(b.page.getByTestId("changed-on-disk")).toBeVisible(); // told without a reload
  // B's details panel follows A's save (size from disk) without a reload
  const afterA = fs.statSync(path.join(tree, hosts)).size;
  await expect(b.page.getByTestId("details-panel")).toContainText(`(${afterA.toLocaleString("en")} bytes)`);
  await typeAtEnd(b.page, "10.0.0.2 from-b\n");
  await b.page.getByTestId("save-file").click();
  await expect(b.page.getByTestId("conflict-dialog")).toBeVisible();
  await b.page.getByTestId("conflict-save-merged").click();
  await expect(b.page.getByTestId("conflict-dialog")).toHaveCount(0);
  await expect(b.page.getByTestId("save-message")).toHaveText("Saved");
  expect(fs.readFileSync(path.join(tree, hosts), "utf8")).toContain("from-b");
  await a.ctx.close();
  await b.ctx.close();
});

test("a viewer can read but not save", async ({ page, adminApi }) => {
  const viewer = await createUser(adminApi, "viewer");
  await openFilesPage(page, viewer);
  await openFile(page, "/etc/motd");
  await expect(page.getByTestId("read-only")).toBeVisible();
  await expect(page.getByTestId("save-file")).toHaveCount(0);
  await expect(page.getByTestId("new-file")).toHaveCount(0);
  const read = await (await page.request.get(`/api/images/${IMAGE}/files/content?path=/etc/motd`)).json();
  const put = await page.request.put(`/api/images/${IMAGE}/files/content`, {
    headers: { "if-match": `"${read.etag}"`, origin: new URL(page.url()).origin },
    data: { path: "/etc/motd", content: "viewer was here\n", encoding: "utf-8" },
  });
  expect(put.status()).toBe(403);
  expect(fs.readFileSync(path.join(tree, "etc/motd"), "utf8")).not.toContain("viewer was here");
});

test("a link with ?path= opens the file, the URL follows navigation, and the breadcrumb leads back", async ({ page }) => {
  await uiLogin(page, editor);
  await page.goto(`/images/${IMAGE}/files?path=/etc/motd`);
  await expect(page.locator('[data-testid=editor-tab][data-path="/etc/motd"]')).toBeVisible();
  await expect(row(page, "/etc/motd")).toHaveAttribute("data-selected", "true"); // the tree is expanded to it
  await expect(page.getByTestId("details-path")).toHaveText("/etc/motd");
  await row(page, "/etc/hostname").click();
  await expect(page).toHaveURL(/\/files\?path=\/etc\/hostname$/);
  await page.locator('[data-testid=editor-tab][data-path="/etc/motd"]').click();
  await expect(page).toHaveURL(/\/files\?path=\/etc\/motd$/);
  const crumbs = page.getByTestId("files-breadcrumb");
  await expect(crumbs).toHaveText(`Images/${IMAGE}/Files`);
  await page.getByTestId("crumb-image").focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/images/${IMAGE}$`));
});

test("the renamed file's details follow the rename", async ({ page }) => {
  const name = `${uniqueName("ren")}.conf`;
  fs.writeFileSync(path.join(tree, "tmp", name), "x\n");
  await openFilesPage(page, editor);
  await openFile(page, `/tmp/${name}`);
  await expect(page.getByTestId("details-path")).toHaveText(`/tmp/${name}`);
  await page.getByTestId("rename").click();
  await page.getByTestId("prompt-input").fill(`moved-${name}`);
  await page.getByTestId("prompt-ok").click();
  await expect(page.getByTestId("details-path")).toHaveText(`/tmp/moved-${name}`);
  await expect(page).toHaveURL(new RegExp(`\\?path=/tmp/moved-${name}$`));
});

test("pages load without any 404 (the app has an icon)", async ({ page }) => {
  const missing: string[] = [];
  page.on("response", (r) => {
    if (r.status() === 404) missing.push(r.url());
  });
  await openFilesPage(page, editor);
  await page.goto("/images");
  await expect(page.locator("main")).toBeVisible();
  await expect(page.locator('link[rel="icon"]').first()).toHaveAttribute("href", /\S/);
  const href = await page.locator('link[rel="icon"]').first().getAttribute("href");
  const icon = await page.request.get(href as string);
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toContain("image/svg+xml");
  expect(missing).toEqual([]);
});

const tabOf = (page: Page, p: string) => page.locator(`[data-testid=editor-tab][data-path="${p}"]`);

test("in-app links (app nav, breadcrumb) ask before dropping unsaved edits: cancel stays, accept leaves", async ({ page }) => {
  await openFilesPage(page, editor);
  await openFile(page, "/etc/fstab");
  await typeAtEnd(page, "#unsaved-nav");
  await expect(tabOf(page, "/etc/fstab")).toHaveAttribute("data-modified", "true");
  const seen: string[] = [];
  let answer: "accept" | "dismiss" = "dismiss";
  page.on("dialog", (d) => {
    seen.push(`${d.type()}: ${d.message()}`);
    void (answer === "accept" ? d.accept() : d.dismiss());
  });
  for (const link of [page.getByTestId("nav-jobs"), page.getByTestId("nav-images"), page.getByTestId("crumb-image")]) {
    const before = seen.length;
    await link.click();
    await expect.poll(() => seen.length).toBe(before + 1);
    expect(seen[before]).toMatch(/^confirm: 1 open file has unsaved changes\./);
    // cancelled: still in the editor, the edit still there and still unsaved
    await expect(page).toHaveURL(/\/files(\?|$)/);
    await expect(tabOf(page, "/etc/fstab")).toHaveAttribute("data-modified", "true");
    await expect(page.getByTestId("code-editor")).toContainText("#unsaved-nav");
  }
  answer = "accept";
  await page.getByTestId("nav-jobs").click();
  await expect(page).toHaveURL(/\/jobs$/);
  expect(seen).toHaveLength(4);
  expect(fs.readFileSync(path.join(tree, "etc/fstab"), "utf8")).not.toContain("#unsaved-nav");
  // the editor is gone, so nothing is guarded any more
  await page.getByTestId("nav-images").click();
  await expect(page).toHaveURL(/\/images$/);
  expect(seen).toHaveLength(4);
});

test("a renamed open file, or its renamed directory, keeps its tab and unsaved text; a deleted one closes its tab", async ({ page }) => {
  const dir = uniqueName("mv");
  fs.mkdirSync(path.join(tree, "tmp", dir));
  fs.writeFileSync(path.join(tree, "tmp", dir, "a.conf"), "a=1\n");
  fs.writeFileSync(path.join(tree, "tmp", dir, "b.conf"), "b=1\n");
  await openFilesPage(page, editor);
  await openFile(page, `/tmp/${dir}/b.conf`);
  await openFile(page, `/tmp/${dir}/a.conf`);
  await typeAtEnd(page, "#kept");
  await expect(tabOf(page, `/tmp/${dir}/a.conf`)).toHaveAttribute("data-modified", "true");

  await page.getByTestId("rename").click();
  await page.getByTestId("prompt-input").fill("a2.conf");
  await page.getByTestId("prompt-ok").click();
  await expect(tabOf(page, `/tmp/${dir}/a2.conf`)).toHaveAttribute("data-modified", "true");
  await expect(tabOf(page, `/tmp/${dir}/a.conf`)).toHaveCount(0);
  await expect(page.getByTestId("code-editor")).toContainText("#kept");
  await expect(page.getByTestId("editor-status")).toContainText(`/tmp/${dir}/a2.conf`);

  await row(page, `/tmp/${dir}`).click();
  await page.getByTestId("rename").click();
  await page.getByTestId("prompt-input").fill(`${dir}-moved`);
  await page.getByTestId("prompt-ok").click();
  const moved = `/tmp/${dir}-moved`;
  await expect(tabOf(page, `${moved}/a2.conf`)).toHaveAttribute("data-modified", "true");
  await expect(tabOf(page, `${moved}/b.conf`)).toHaveAttribute("data-modified", "false");
  await expect(page.locator("[data-testid=editor-tab]")).toHaveCount(2);
  await expect(page.getByTestId("code-editor")).toContainText("#kept");
  await page.getByTestId("save-file").click();
  await expect(page.getByTestId("save-message")).toHaveText("Saved");
  expect(fs.readFileSync(path.join(tree, "tmp", `${dir}-moved`, "a2.conf"), "utf8")).toBe("a=1\n#kept");
  expect(fs.existsSync(path.join(tree, "tmp", dir))).toBe(false);

  await openFile(page, `${moved}/b.conf`);
  await expect(page.getByTestId("details-path")).toHaveText(`${moved}/b.conf`);
  page.once("dialog", (d) => void d.accept());
  await page.getByTestId("delete").click();
  await expect(tabOf(page, `${moved}/b.conf`)).toHaveCount(0);
  await expect(tabOf(page, `${moved}/a2.conf`)).toHaveCount(1);
  expect(fs.existsSync(path.join(tree, "tmp", `${dir}-moved`, "b.conf"))).toBe(false);
});

test("the browser's Back and Forward ask before dropping unsaved edits: cancel stays, accept leaves", async ({ page }) => {
  const name = `${uniqueName("hist")}.conf`;
  fs.writeFileSync(path.join(tree, "tmp", name), "h=1\n");
  await uiLogin(page, editor);
  await page.goto(`/images/${IMAGE}`);
  // in-app from here on: every history step is a popstate inside one document, not a page unload
  await page.getByTestId("image-files-link").click();
  await expect(page.getByTestId("file-tree")).toBeVisible();
  await page.getByTestId("nav-jobs").click(); // nothing unsaved yet: no question
  await expect(page).toHaveURL(/\/jobs$/);
  await page.goBack();
  await expect(page.getByTestId("file-tree")).toBeVisible();
  await openFile(page, `/tmp/${name}`);
  let typed = "#unsaved-history";
  await typeAtEnd(page, typed);
  await expect(tabOf(page, `/tmp/${name}`)).toHaveAttribute("data-modified", "true");
  const seen: string[] = [];
  let answer: "accept" | "dismiss" = "dismiss";
  page.on("dialog", (d) => {
    seen.push(`${d.type()}: ${d.message()}`);
    void (answer === "accept" ? d.accept() : d.dismiss());
  });
  for (const [step, n] of [
    ["forward", 1],
    ["back", 2],
  ] as const) {
    await page.evaluate((s) => (s === "back" ? history.back() : history.forward()), step);
    await expect.poll(() => seen.length).toBe(n);
    expect(seen[n - 1]).toMatch(/^confirm: 1 open file has unsaved changes\./);
    // cancelled: still on the files page, the same editor with the edit still unsaved
    await expect(page).toHaveURL(new RegExp(`/images/${IMAGE}/files\\?path=/tmp/${name}$`));
    await expect(tabOf(page, `/tmp/${name}`)).toHaveAttribute("data-modified", "true");
    await expect(page.getByTestId("code-editor")).toContainText(typed);
    // the user goes on editing (browsers let a page refuse a history step once per user interaction)
    await typeAtEnd(page, `+${n}`);
    typed += `+${n}`;
    await expect(page.getByTestId("code-editor")).toContainText(typed);
  }
  answer = "accept";
  await page.evaluate(() => history.back());
  await expect(page).toHaveURL(new RegExp(`/images/${IMAGE}$`));
  await expect(page.getByTestId("image-files-link")).toBeVisible();
  expect(seen).toHaveLength(3);
  expect(fs.readFileSync(path.join(tree, "tmp", name), "utf8")).toBe("h=1\n");
  // nothing is open any more: history steps are not guarded
  await page.evaluate(() => history.forward());
  await expect(page.getByTestId("file-tree")).toBeVisible();
  expect(seen).toHaveLength(3);
});

test("another user's rename moves this user's tab with its unsaved text; their delete marks it deleted and Save as keeps the text", async ({
  browser,
  adminApi,
}) => {
  const dir = uniqueName("remote");
  fs.mkdirSync(path.join(tree, "tmp", dir));
  fs.writeFileSync(path.join(tree, "tmp", dir, "a.conf"), "a=1\n");
  fs.writeFileSync(path.join(tree, "tmp", dir, "b.conf"), "b=1\n");
  const other = await createUser(adminApi, "editor");
  const a = await editorPage(browser);
  const bctx = await browser.newContext();
  const b = await bctx.newPage();
  await openFilesPage(b, other);
  await openFile(a.page, `/tmp/${dir}/b.conf`);
  await openFile(a.page, `/tmp/${dir}/a.conf`);
  await typeAtEnd(a.page, "#mine");
  await expect(tabOf(a.page, `/tmp/${dir}/a.conf`)).toHaveAttribute("data-modified", "true");
  // A's socket is in the image's room, so it hears what B does
  await expect(a.page.getByTestId("file-browser")).toHaveAttribute("data-live", "true");

  // B renames the file A is editing
  await openFile(b, `/tmp/${dir}/a.conf`);
  await b.getByTestId("rename").click();
  await b.getByTestId("prompt-input").fill("a-renamed.conf");
  await b.getByTestId("prompt-ok").click();
  await expect(row(b, `/tmp/${dir}/a-renamed.conf`)).toBeVisible();
  const renamed = `/tmp/${dir}/a-renamed.conf`;
  await expect(tabOf(a.page, renamed)).toHaveAttribute("data-modified", "true");
  await expect(tabOf(a.page, `/tmp/${dir}/a.conf`)).toHaveCount(0);
  await expect(a.page.getByTestId("file-notice")).toContainText(`${other.username} moved /tmp/${dir}/a.conf to ${renamed}`);
  await expect(a.page.getByTestId("editor-status")).toContainText(renamed);
  await expect(a.page.getByTestId("code-editor")).toContainText("#mine");
  await a.page.getByTestId("save-file").click();
  await expect(a.page.getByTestId("save-message")).toHaveText("Saved");
  expect(fs.readFileSync(path.join(tree, "tmp", dir, "a-renamed.conf"), "utf8")).toBe("a=1\n#mine");

  // A edits again; B deletes the file: A's tab stays, marked deleted, with the text
  await typeAtEnd(a.page, "#after-delete");
  await expect(tabOf(a.page, renamed)).toHaveAttribute("data-modified", "true");
  await row(b, renamed).click();
  await expect(b.getByTestId("details-path")).toHaveText(renamed);
  b.once("dialog", (d) => void d.accept());
  await b.getByTestId("delete").click();
  await expect(row(b, renamed)).toHaveCount(0);
  expect(fs.existsSync(path.join(tree, "tmp", dir, "a-renamed.conf"))).toBe(false);
  await expect(tabOf(a.page, renamed)).toHaveAttribute("data-deleted", "true");
  await expect(a.page.getByTestId("deleted-on-disk")).toContainText(`${other.username} deleted this file`);
  await expect(a.page.getByTestId("save-file")).toBeDisabled();
  await expect(a.page.getByTestId("code-editor")).toContainText("#after-delete");
  // the unedited tab of a file B did not touch is unaffected
  await expect(tabOf(a.page, `/tmp/${dir}/b.conf`)).toHaveAttribute("data-deleted", "false");

  // Save as: the text goes to a new file and the tab moves there
  await a.page.getByTestId("save-as-file").click();
  await a.page.getByTestId("prompt-input").fill(`/tmp/${dir}/restored.conf`);
  await a.page.getByTestId("prompt-ok").click();
  const restored = `/tmp/${dir}/restored.conf`;
  await expect(tabOf(a.page, restored)).toHaveAttribute("data-deleted", "false");
  await expect(tabOf(a.page, restored)).toHaveAttribute("data-modified", "false");
  await expect(tabOf(a.page, renamed)).toHaveCount(0);
  await expect(a.page.getByTestId("save-message")).toHaveText("Saved");
  expect(fs.readFileSync(path.join(tree, "tmp", dir, "restored.conf"), "utf8")).toBe("a=1\n#mine#after-delete");
  await a.ctx.close();
  await bctx.close();
});
