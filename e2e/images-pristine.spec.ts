// What "pending changes" compare with, seen in the browser on the local backend: a tree genimage left is
// adopted as the workspace with a job and a progress bar (its pristine state is recorded); an edit is then
// pending; a pack publishes it and nothing is pending any more; a rollback to an earlier packed version makes
// it pending again (the tree holds what that archive lacks), rolling forward clears it.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ADMIN, expect, test, uiLogin } from "./fixtures";
import { newImage } from "./own-image";
import { ChangesPage } from "./pages/changes-page";
import { ImagePage } from "./pages/image-page";

test("adopting a genimage tree records its pristine state as a job; pack clears pending changes, rollback brings them back", async ({
  page,
  adminApi,
}) => {
  test.setTimeout(180_000);
  const { name, rootimgdir: dir } = await newImage(adminApi, "pristine");
  const image = new ImagePage(page);
  const pending = async () => (await new ChangesPage(page).goto(name)).image(name);
  // What genimage leaves: rootimg/ next to the archive, made without Rootimg Studio (so no pristine manifest).
  fs.mkdirSync(path.join(dir, "rootimg"));
  execFileSync("bsdtar", ["-x", "-p", "--numeric-owner", "-f", path.join(dir, "rootimg.cpio.gz"), "-C", path.join(dir, "rootimg")]);
  expect(fs.existsSync(path.join(dir, ".rootimg-studio/rootimg/manifest.json"))).toBe(false);

  await uiLogin(page, ADMIN);
  await image.goto(name);
  await image.unpack();
  await expect(page.getByTestId("tree-choice")).toBeVisible();
  await page.getByTestId("use-existing").click();
  const panel = page.getByTestId("image-job");
  await expect(panel.getByTestId("job-bar")).toBeVisible();
  await image.waitForJob();
  await expect(panel.getByTestId("job-bar")).toHaveAttribute("aria-valuenow", "100");
  expect(Number(await panel.getByTestId("job-total").getAttribute("data-value"))).toBeGreaterThan(0);
  await expect(image.workspace).toHaveText("unpacked");
  expect(fs.existsSync(path.join(dir, ".rootimg-studio/rootimg/manifest.json"))).toBe(true);
  const jobId = (await (await adminApi.get(`/api/images/${name}`)).json()).lastJob.id;
  const job = await (await adminApi.get(`/api/jobs/${jobId}`)).json();
  expect(job).toMatchObject({ type: "image.workspace.adopt", unit: "bytes", state: "succeeded" });
  console.log(`adoption manifest of ${name}: ${job.result.entries} entries, ${job.result.bytesHashed} bytes hashed in ${job.result.ms} ms`);

  // compared with the recorded state: nothing pending; an edit made on the management node is
  let section = await pending();
  await expect(section.count).toHaveText("no pending changes");
  fs.writeFileSync(path.join(dir, "rootimg/etc/motd"), "edited on the management node\n");
  await page.reload();
  await expect(section.row("/etc/motd")).toHaveAttribute("data-kind", "modified");

  // pack: version 2 is live and holds the edit; nothing is pending any more
  await image.goto(name);
  await image.pack();
  await image.waitForJob();
  await expect(image.liveVersion).toHaveAttribute("data-seq", "2");
  section = await pending();
  await expect(section.count).toHaveText("no pending changes");

  // a second edit, packed as version 3
  fs.writeFileSync(path.join(dir, "rootimg/etc/motd"), "edited again\n");
  await image.goto(name);
  await image.pack();
  await expect(image.liveVersion).toHaveAttribute("data-seq", "3", { timeout: 60_000 });
  section = await pending();
  await expect(section.count).toHaveText("no pending changes");

  // roll back to version 2: the second edit (and version 3's stamp) are not in the live archive: pending again
  await image.goto(name);
  await image.rollback(2);
  await expect(image.version(2)).toHaveAttribute("data-live", "true");
  section = await pending();
  await expect(section.row("/etc/motd")).toHaveAttribute("data-kind", "modified");
  await expect(section.row("/opt/xcat/xcatinfo")).toHaveAttribute("data-kind", "modified");
  await expect(section.count).toHaveText("2 pending changes");
  // and forward again to version 3: nothing pending
  await image.goto(name);
  await image.rollback(3);
  await expect(image.version(3)).toHaveAttribute("data-live", "true");
  section = await pending();
  await expect(section.count).toHaveText("no pending changes");
});
