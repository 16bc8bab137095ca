import fs from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { ADMIN, apiAs, createUser, expect, test, uiLogin } from "./fixtures";
import { newImage } from "./own-image";

// Commands and shells on private copies of the demo image: a command holds its image, so it must not block
// the other specs.

/** Processes whose root lies in the image's run directories: what a leaked command would look like. */
function processesIn(tree: string): number[] {
  const runs = path.join(path.dirname(tree), ".rootimg-studio", "rootimg", "runs");
  return fs
    .readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.readlinkSync(`/proc/${p}/root`).startsWith(runs);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function runInUi(page: Page, line: string): Promise<number> {
  await page.getByTestId("run-line-input").fill(line);
  const clicked = Date.now();
  await page.getByTestId("run-submit").click();
  await expect(page.getByTestId("run-output-line").first()).toBeVisible();
  return Date.now() - clicked;
}

test("a command's output streams, its effect is listed, applied, and the Changes page names the command", async ({ page, adminApi }) => {
  const { name, tree } = await newImage(adminApi, "cmd", { unpacked: true });
  const editor = await createUser(adminApi, "editor");
  await uiLogin(page, editor);
  await page.goto(`/images/${name}`);
  await page.getByTestId("image-commands-page-link").click();
  await expect(page.getByTestId("commands-mode")).toContainText("overlay");

  // stdout and stderr are two pipes: their relative order is the order the server read them in. The pieces
  // are a moment apart, but a server held up for longer than that (a loaded CI machine) reads both pipes at
  // once and may take either first; so the order is checked within each stream, where it is exact (the
  // runner's unit test checks the order across the streams)
  const line =
    "printf '\\033[31mred\\033[0m plain\\n'; sleep 0.5; chmod 700 /usr/local/bin/hello && echo changed >&2; sleep 0.5; ls -l /usr/local/bin/hello";
  const firstOutputMs = await runInUi(page, line);
  console.log(`time from clicking Run to the first output line: ${firstOutputMs} ms`);
  const view = page.getByTestId("run-view");
  await expect(view.getByTestId("run-status")).toHaveAttribute("data-state", "exited");
  await expect(view.getByTestId("run-status")).toHaveAttribute("data-exit", "0");
  await expect(view.getByTestId("run-status")).toContainText(/exit status 0 after \d/);
  // every line once, each stream in order, stderr marked, colours rendered (not shown as escape codes)
  await expect(view.getByTestId("run-output-line")).toHaveCount(3);
  const stdout = view.locator("[data-testid=run-output-line][data-stream=stdout]");
  await expect(stdout).toHaveCount(2);
  await expect(stdout.nth(0)).toHaveText("red plain");
  await expect(stdout.nth(0).locator("span", { hasText: "red" })).toHaveCSS("color", "rgb(255, 107, 107)");
  await expect(stdout.nth(1)).toContainText("-rwx------");
  const stderr = view.locator("[data-testid=run-output-line][data-stream=stderr]");
  await expect(stderr).toHaveCount(1);
  await expect(stderr).toContainText("changed");
  await expect(stderr.locator(".stream-mark")).toBeVisible();

  // the effect: one mode change, held back from the tree until applied
  const row = view.locator('[data-testid=effect-row][data-path="/usr/local/bin/hello"]');
  await expect(row).toHaveAttribute("data-kind", "metadata");
  await expect(row.getByTestId("effect-detail")).toContainText("mode 0755 → 0700");
  await expect(view.getByTestId("effect-row")).toHaveCount(1);
  expect(fs.statSync(path.join(tree, "usr/local/bin/hello")).mode & 0o777).toBe(0o755);
  await view.getByTestId("effect-apply").click();
  await expect(view.getByTestId("effect-state")).toContainText(`applied by ${editor.username}`);
  expect(fs.statSync(path.join(tree, "usr/local/bin/hello")).mode & 0o777).toBe(0o700);

  // the history (the commands page's and the image page's) and the Changes page know where the change came from
  await expect(page.locator('[data-testid=command-row][data-effect-state="applied"]')).toHaveCount(1);
  await page.goto(`/images/${name}`);
  const recent = page.getByTestId("image-commands");
  await expect(recent).toContainText(line);
  await expect(recent).toContainText(editor.username);
  await expect(recent).toContainText("exit status 0");
  await expect(recent).toContainText("1 changed · applied");
  await page.goto(`/changes?image=${name}`);
  const change = page.locator('[data-testid=change-row][data-path="/usr/local/bin/hello"]');
  await expect(change).toHaveAttribute("data-kind", "metadata");
  await expect(change.getByTestId("change-command")).toContainText(line);
  await expect(change.getByTestId("change-command")).toContainText(`by ${editor.username} (exit 0)`);
  await change.getByTestId("change-command").getByRole("link").click();
  await expect(page.getByTestId("run-view")).toHaveAttribute("data-state", "exited");
});

test("a command that never ends is cancelled with its whole process tree; saves are refused while it runs and land after it ends", async ({
  page,
  adminApi,
}) => {
  const { name, tree } = await newImage(adminApi, "cmd", { unpacked: true });
  const editor = await createUser(adminApi, "editor");
  await uiLogin(page, editor);
  await page.goto(`/images/${name}/commands`);
  const sleeper = "echo sleeping; sleep 600 & sleep 600";
  await runInUi(page, sleeper);
  const view = page.getByTestId("run-view");
  await expect(view.getByTestId("run-output-line").first()).toHaveText("sleeping");
  await expect.poll(() => processesIn(tree).length).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId("run-submit")).toBeDisabled();

  // a save while the command holds the image is refused, and loses nothing
  const ed = await apiAs(editor);
  const motd = await (await ed.get(`/api/images/${name}/files/content?path=/etc/motd`)).json();
  const refused = await ed.put(`/api/images/${name}/files/content`, {
    data: { path: "/etc/motd", content: "during the command\n", encoding: "utf-8", etag: motd.etag },
  });
  expect(refused.status()).toBe(409);
  const why = (await refused.json()).error;
  expect(why).toMatchObject({ reason: "image-busy", holder: { kind: "command", user: editor.username, detail: sleeper } });
  // the message names the running command and who started it
  expect(why.message).toContain(`command "${sleeper}"`);
  expect(why.message).toContain(`started by ${editor.username}`);
  expect(fs.readFileSync(path.join(tree, "etc/motd"), "utf8")).toBe(motd.content);

  await view.getByTestId("run-cancel").click();
  await expect(view.getByTestId("run-status")).toHaveAttribute("data-state", "cancelled");
  expect(processesIn(tree)).toEqual([]);
  await expect(page.locator("[data-testid=command-row]").first()).toHaveAttribute("data-state", "cancelled");
  const after = await ed.put(`/api/images/${name}/files/content`, {
    data: { path: "/etc/motd", content: "after the command\n", encoding: "utf-8", etag: motd.etag },
  });
  expect(after.status()).toBe(200);
  await ed.dispose();
});

test("viewers and reviewers get no controls and 403", async ({ page, adminApi }) => {
  const { name } = await newImage(adminApi, "cmd", { unpacked: true });
  for (const role of ["viewer", "reviewer"] as const) {
    const user = await createUser(adminApi, role);
    const api = await apiAs(user);
    expect((await api.post(`/api/images/${name}/commands`, { data: { line: "id" } })).status(), role).toBe(403);
    expect((await api.post(`/api/images/${name}/shells`, { data: {} })).status(), role).toBe(403);
    await api.dispose();
    await uiLogin(page, user);
    await page.goto(`/images/${name}/commands`);
    await expect(page.getByTestId("commands-page")).toBeVisible();
    await expect(page.getByTestId("commands-none")).toBeVisible();
    await expect(page.getByTestId("run-form")).toHaveCount(0);
    await expect(page.getByTestId("shell-panel")).toHaveCount(0);
    await page.context().clearCookies();
  }
});

test("the shell survives a reload; vi in it edits a file that lands after apply", async ({ page, adminApi }) => {
  const { name, tree } = await newImage(adminApi, "cmd", { unpacked: true });
  const editor = await createUser(adminApi, "editor");
  await uiLogin(page, editor);
  await page.goto(`/images/${name}/commands`);
  await page.getByTestId("shell-open").click();
  const term = page.getByTestId("shell-terminal");
  const screen = term.locator(".xterm-rows");
  await expect(screen).toContainText("#");
  const shellId = await term.getAttribute("data-shell-id");
  await term.click();
  await page.keyboard.type("ls /etc\n");
  await expect(screen).toContainText("motd");

  // the terminal's size follows its box: the pseudo-terminal is resized with the page
  const sizes = async () =>
    (await screen.locator(":scope > div").allTextContents()).map((l) => l.trim()).filter((l) => /^\d+\s\d+$/.test(l));
  await page.keyboard.type("stty size\n");
  await expect.poll(async () => (await sizes()).length).toBe(1);
  await page.setViewportSize({ width: 900, height: 600 });
  await page.keyboard.type("stty size\n");
  await expect.poll(async () => (await sizes()).length).toBe(2);
  const [large, small] = await sizes();
  expect(small).not.toBe(large);
  await page.setViewportSize({ width: 1280, height: 800 });

  // copy a word of the output (double-click selects it, Ctrl+Shift+C copies) and paste a line (Ctrl+Shift+V)
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.keyboard.type("echo copy-me-$((6*7))\n");
  await screen
    .locator("div", { hasText: /^copy-me-42\s*$/ })
    .getByText("copy-me-42")
    // xterm's screen layer takes the mouse events over the text: click where the word is drawn
    .dblclick({ force: true });
  await page.keyboard.press("Control+Shift+C");
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe("copy-me-42");
  await page.evaluate(() => navigator.clipboard.writeText("echo pasted-$((6*6))"));
  await page.keyboard.press("Control+Shift+V");
  await page.keyboard.press("Enter");
  await expect(screen.locator("div", { hasText: /^pasted-36\s*$/ })).toHaveCount(1);

  await page.reload();
  await expect(page.getByTestId("shell-terminal")).toHaveAttribute("data-shell-id", shellId as string);
  await expect(page.getByTestId("shell-terminal").locator(".xterm-rows")).toContainText("motd");

  await page.getByTestId("shell-terminal").click();
  await page.keyboard.type("vi /etc/motd\n");
  await expect(page.getByTestId("shell-terminal").locator(".xterm-rows")).toContainText("/etc/motd");
  await page.keyboard.type(":1,$d\n");
  await page.keyboard.type("iedited in vi inside the image");
  const screen2 = page.getByTestId("shell-terminal").locator(".xterm-rows");
  await expect(screen2).toContainText("I /etc/motd [Modified]");
  // vi reads a lone Escape only when nothing follows at once (else it is the start of a key's sequence)
  await page.keyboard.press("Escape");
  await expect(screen2).toContainText("- /etc/motd [Modified]");
  await page.keyboard.type(":wq\n");
  await expect(screen2).toHaveText(/vi \/etc\/motd.*#\s*$/); // vi left, the shell's prompt is back
  await page.keyboard.type("exit\n");

  // the shell ended: its effect is listed and waits for apply
  const view = page.getByTestId("run-view");
  await expect(view).toHaveAttribute("data-run-id", shellId as string);
  await expect(view.locator('[data-testid=effect-row][data-path="/etc/motd"]')).toHaveAttribute("data-kind", "modified");
  expect(fs.readFileSync(path.join(tree, "etc/motd"), "utf8")).not.toContain("edited in vi");
  await view.getByTestId("effect-apply").click();
  await expect(view.getByTestId("effect-state")).toContainText("applied");

  await page.goto(`/images/${name}/files?path=/etc/motd`);
  await expect(page.locator('[data-testid=editor-tab][data-path="/etc/motd"]')).toBeVisible();
  await expect(page.getByTestId("code-editor").locator(".view-lines")).toContainText("edited in vi inside the image");
  // the transcript is kept with the session's record
  const rec = await (await adminApi.get(`/api/images/${name}/commands/${shellId}`)).json();
  expect(rec.output.chunks.map((c: { text: string }) => c.text).join("")).toContain("ls /etc");
});

test("an admin ends another user's shell from the history; its record says so", async ({ page, browser, adminApi }) => {
  const { name, tree } = await newImage(adminApi, "cmd", { unpacked: true });
  const editor = await createUser(adminApi, "editor");
  await uiLogin(page, editor);
  await page.goto(`/images/${name}/commands`);
  await page.getByTestId("shell-open").click();
  const term = page.getByTestId("shell-terminal");
  await expect(term.locator(".xterm-rows")).toContainText("#");
  const shellId = (await term.getAttribute("data-shell-id")) as string;
  await term.click();
  await page.keyboard.type("touch /etc/left-by-the-editor\n");
  await expect.poll(() => processesIn(tree).length).toBeGreaterThanOrEqual(1);

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await uiLogin(admin, ADMIN);
  await admin.goto(`/images/${name}/commands`);
  const row = admin.locator(`[data-testid=command-row][data-run-id="${shellId}"]`);
  await expect(row).toHaveAttribute("data-state", "running");
  await row.getByTestId("command-end").click();
  await expect(row).toHaveAttribute("data-state", "cancelled");
  await expect(row).toContainText("cancelled by admin");
  expect(processesIn(tree)).toEqual([]);
  await adminContext.close();

  // the editor's page shows the ended shell's record, its effect waiting for apply or discard
  const view = page.getByTestId("run-view");
  await expect(view).toHaveAttribute("data-run-id", shellId);
  await expect(view.locator('[data-testid=effect-row][data-path="/etc/left-by-the-editor"]')).toHaveAttribute("data-kind", "added");
  await view.getByTestId("effect-discard").click();
  await expect(view.getByTestId("effect-state")).toContainText("discarded");
  expect(fs.existsSync(path.join(tree, "etc/left-by-the-editor"))).toBe(false);
});

test("apply automatically lands the effect of a command that exits 0, and holds back one that fails", async ({ page, adminApi }) => {
  const { name, tree } = await newImage(adminApi, "cmd", { unpacked: true });
  const editor = await createUser(adminApi, "editor");
  await uiLogin(page, editor);
  await page.goto(`/images/${name}/commands`);
  await page.getByTestId("run-auto-apply").check();
  const view = page.getByTestId("run-view");

  await runInUi(page, "chmod 700 /usr/local/bin/hello; echo done");
  await expect(view.getByTestId("effect-state")).toContainText(`applied by ${editor.username}`);
  expect(fs.statSync(path.join(tree, "usr/local/bin/hello")).mode & 0o777).toBe(0o700);

  await runInUi(page, "echo not-applied > /etc/motd; exit 2");
  await expect(view.getByTestId("run-status")).toHaveAttribute("data-exit", "2");
  await expect(view.getByTestId("effect-state")).toContainText("waiting: apply it to the image or discard it");
  expect(fs.readFileSync(path.join(tree, "etc/motd"), "utf8")).not.toContain("not-applied");
});
