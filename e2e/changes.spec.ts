import fs from "node:fs";
import path from "node:path";
import { ADMIN, apiAs, createUser, expect, test, uiLogin } from "./fixtures";
import { newImage } from "./own-image";
import { ChangesPage } from "./pages/changes-page";
import { FilesPage } from "./pages/files-page";

// The Changes page, on unpacked images of the spec's own.
test("the Changes page lists what changed since the unpack, who edited it, and changes made outside the editor", async ({
  page,
  adminApi,
}) => {
  const { name, tree } = await newImage(adminApi, "chg", { unpacked: true });
  const editor = await createUser(adminApi, "editor");
  const ed = await apiAs(editor);
  const motd = await (await ed.get(`/api/images/${name}/files/content?path=/etc/motd`)).json();
  const saved = await ed.put(`/api/images/${name}/files/content`, {
    data: { path: "/etc/motd", content: `${motd.content}changed for the review\n`, encoding: "utf-8", etag: motd.etag },
  });
  expect(saved.status()).toBe(200);
  // as a chroot command or a shell on the management node would
  fs.writeFileSync(path.join(tree, "etc/by-hand.conf"), "x=1\n");
  fs.rmSync(path.join(tree, "etc/hostname"));

  await uiLogin(page, editor);
  const changes = await new ChangesPage(page).open();
  const { block, count, row: rowOf } = changes.image(name);
  await expect(count).toHaveText("3 pending changes");
  await expect(rowOf("/etc/motd")).toHaveAttribute("data-kind", "modified");
  await expect(rowOf("/etc/motd")).toContainText(editor.username);
  await expect(rowOf("/etc/by-hand.conf")).toHaveAttribute("data-kind", "added");
  await expect(rowOf("/etc/by-hand.conf")).toContainText("outside the editor");
  await expect(rowOf("/etc/hostname")).toHaveAttribute("data-kind", "removed");

  // Undoing a change on disk takes it off the list.
  fs.rmSync(path.join(tree, "etc/by-hand.conf"));
  await block.page().getByTestId("changes-refresh").click();
  await expect(count).toHaveText("2 pending changes");
  await expect(rowOf("/etc/by-hand.conf")).toHaveCount(0);

  // A path leads to the file in the editor.
  await rowOf("/etc/motd").getByRole("link").click();
  await expect(new FilesPage(page, name).tab("/etc/motd")).toBeVisible();

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
  const { name } = await newImage(admin, "chgview", { unpacked: true });
  await newImage(admin, "chgother", { unpacked: true }); // unpacked too, and filtered out
  const viewer = await createUser(admin, "viewer");
  await admin.dispose();
  await uiLogin(page, viewer);
  const changes = await new ChangesPage(page).goto(name);
  await expect(page.getByRole("heading", { name: `Changes of ${name}` })).toBeVisible();
  await expect(changes.image(name).count).toHaveText("no pending changes");
  await expect(page.getByTestId("changes-image")).toHaveCount(1);
});
