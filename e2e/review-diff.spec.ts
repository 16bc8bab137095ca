import fs from "node:fs";
import path from "node:path";
import { apiAs, createUser, expect, test, uiLogin } from "./fixtures";
import { newImage } from "./own-image";
import { ChangesPage } from "./pages/changes-page";
import { waitForJob } from "./wait-job";

// The review's diff views on an image of the spec's own: a text change in Monaco's diff editor, a mode change
// as metadata before/after, a revert, and two versions compared from their archives.
test("an editor sees the text and metadata diffs of pending changes, reverts one, and compares two versions", async ({
  page,
  adminApi,
}) => {
  const { name, tree } = await newImage(adminApi, "rdiff", { unpacked: true });
  const editor = await createUser(adminApi, "editor");
  const ed = await apiAs(editor);
  const motd = await (await ed.get(`/api/images/${name}/files/content?path=/etc/motd`)).json();
  const saved = await ed.put(`/api/images/${name}/files/content`, {
    data: { path: "/etc/motd", content: `${motd.content}changed for the review\n`, encoding: "utf-8", etag: motd.etag },
  });
  expect(saved.status()).toBe(200);
  const modeBefore = fs.statSync(path.join(tree, "etc/hostname")).mode & 0o7777;
  const chmod = await ed.patch(`/api/images/${name}/files/attributes`, { data: { path: "/etc/hostname", mode: "0600" } });
  expect(chmod.status(), await chmod.text()).toBe(200);

  await uiLogin(page, editor);
  const changes = await new ChangesPage(page).goto(name);
  const { count, row } = changes.image(name);
  await expect(count).toHaveText("2 pending changes");

  // The text change: Monaco's diff editor with both sides, and who made it how.
  await row("/etc/motd").getByTestId("change-open").click();
  const motdDiff = page.locator('[data-testid=change-diff][data-path="/etc/motd"]');
  await expect(motdDiff).toHaveAttribute("data-kind", "content");
  await expect(motdDiff.getByTestId("diff-sources")).toContainText(`saved in the editor by ${editor.username}`);
  const monacoDiff = motdDiff.locator(".monaco-diff-editor");
  await expect(monacoDiff).toBeVisible();
  await expect(monacoDiff.locator(".editor.modified .view-lines")).toContainText("changed for the review");
  await expect(monacoDiff.locator(".editor.original .view-lines")).not.toContainText("changed for the review");
  // inline view: one editor showing the removed and added lines
  await motdDiff.getByTestId("diff-inline").check();
  await expect(motdDiff.getByTestId("text-diff")).toHaveAttribute("data-side-by-side", "false");
  await row("/etc/motd").getByTestId("change-open").click();

  // The mode change: metadata before and after.
  await row("/etc/hostname").getByTestId("change-open").click();
  const modeDiff = page.locator('[data-testid=change-diff][data-path="/etc/hostname"]');
  await expect(modeDiff).toHaveAttribute("data-kind", "metadata");
  const modeRow = modeDiff.locator("[data-testid=meta-diff] tr[data-field=mode]");
  await expect(modeRow.getByTestId("meta-before")).toContainText(modeBefore.toString(8).padStart(4, "0"));
  await expect(modeRow.getByTestId("meta-after")).toContainText("0600 -rw-------");

  // Revert it: the mode is back on disk and the change leaves the list.
  page.once("dialog", (d) => void d.accept());
  await modeDiff.getByTestId("revert-change").click();
  await expect(row("/etc/hostname")).toHaveCount(0);
  await expect(count).toHaveText("1 pending change");
  expect(fs.statSync(path.join(tree, "etc/hostname")).mode & 0o7777).toBe(modeBefore);

  // Pack: a new version; compare it with the one unpacked and see the motd diff.
  await waitForJob(adminApi, await adminApi.post(`/api/images/${name}/pack`, { data: { method: "own" } }), { timeout: 120_000 });
  const versions = ((await (await adminApi.get(`/api/images/${name}`)).json()).versions as { seq: number }[])
    .map((v) => v.seq)
    .sort((a, b) => a - b);
  expect(versions.length).toBeGreaterThanOrEqual(2);
  const [from, to] = versions.slice(-2);
  await page.goto(`/images/${name}`);
  await page.locator(`[data-testid=version-row][data-seq="${to}"]`).getByTestId("version-compare-link").click();
  const compare = page.locator(`[data-testid=version-compare][data-from="${from}"][data-to="${to}"]`);
  const motdRow = compare.locator('[data-testid=compare-row][data-path="/etc/motd"]');
  await expect(motdRow).toHaveAttribute("data-kind", "content");
  await expect(compare.locator('[data-testid=compare-row][data-path="/etc/hostname"]')).toHaveCount(0);
  await motdRow.getByTestId("compare-open").click();
  const versionDiff = compare.locator(".monaco-diff-editor");
  await expect(versionDiff.locator(".editor.modified .view-lines")).toContainText("changed for the review");
  await ed.dispose();
});

test("a change applied from a chroot command shows the command line as its source, and reverts", async ({ page, adminApi }) => {
  const { name, tree } = await newImage(adminApi, "rdiffcmd", { unpacked: true });
  const editor = await createUser(adminApi, "editor");
  const ed = await apiAs(editor);
  const before = fs.readFileSync(path.join(tree, "etc/motd"), "utf8");
  const line = "echo 'set by a command' >> /etc/motd";
  const started = await ed.post(`/api/images/${name}/commands`, { data: { line, autoApply: true } });
  await waitForJob(ed, started, { timeout: 120_000 });
  expect(fs.readFileSync(path.join(tree, "etc/motd"), "utf8")).toBe(`${before}set by a command\n`);

  await uiLogin(page, editor);
  const { row } = new ChangesPage(page).image(name);
  await new ChangesPage(page).goto(name);
  await row("/etc/motd").getByTestId("change-open").click();
  const diff = page.locator('[data-testid=change-diff][data-path="/etc/motd"]');
  await expect(diff.locator('[data-testid=diff-sources] li[data-how="command"]')).toContainText(`${line} by ${editor.username} (exit 0)`);
  await expect(diff.locator(".monaco-diff-editor .editor.modified .view-lines")).toContainText("set by a command");
  page.once("dialog", (d) => void d.accept());
  await diff.getByTestId("revert-change").click();
  await expect(row("/etc/motd")).toHaveCount(0);
  expect(fs.readFileSync(path.join(tree, "etc/motd"), "utf8")).toBe(before);
  await ed.dispose();
});
