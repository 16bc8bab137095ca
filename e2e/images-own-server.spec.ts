// Image flows that need a server of their own: the xCAT backend (the fake xCAT selected by XCATROOT) and a
// server killed in the middle of a pack.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { request } from "@playwright/test";
import { OWN_PORT } from "./e2e-env";
import { startFakeXcatServer } from "./fake-xcat-server";
import { expect, test, uiLogin } from "./fixtures";
import { startOwnServer } from "./own-server";
import { ImagePage } from "./pages/image-page";
import { ImagesPage } from "./pages/images-page";
import { waitForJob } from "./wait-job";

const PASSWORD = "own-server-admin-pw";
const DEMO = "demo-busybox-x86_64-netboot-compute";
const sha = (f: string) => execFileSync("sha256sum", [f], { encoding: "utf8" }).split(" ")[0];

async function signIn(baseURL: string) {
  const api = await request.newContext({ baseURL, extraHTTPHeaders: { origin: baseURL } });
  expect((await api.post("/api/auth/login", { data: { username: "admin", password: PASSWORD } })).status()).toBe(200);
  return api;
}

test("xCAT backend (fake xCAT): list, unpack, pack with packimage, new version, roll back, own pack with packimage's additions (shown in the review first); exact command lines", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const server = await startFakeXcatServer({ port: OWN_PORT.xcatImages, adminPassword: PASSWORD, prefix: "e2e-xcat-" });
  const { name, rootimgdir } = server;
  try {
    await uiLogin(page, { username: "admin", password: PASSWORD }, server.baseURL);
    await page.goto(`${server.baseURL}/images`);
    const images = new ImagesPage(page);
    await expect(images.backend).toHaveText("xCAT backend");
    await images.openImage(name);
    await expect(page.getByTestId("image-attrs")).toContainText(rootimgdir);
    const image = new ImagePage(page);
    await image.unpack();
    await image.waitForJob();
    await page.getByTestId("pack-method").selectOption("xcat");
    await expect(page.getByTestId("packimage-note")).toContainText("etc/shadow");
    await image.pack();
    await image.waitForJob();
    // packimage's own output, streamed into the job log
    await expect(page.getByTestId("image-job")).toContainText(`Packing contents of ${rootimgdir}/rootimg`);
    await expect(page.getByTestId("image-job")).toContainText("compress method:");
    // the archive found before the first pack became version 1, packimage's output version 2
    await expect(image.versions).toHaveCount(2);
    await expect(image.liveVersion).toHaveAttribute("data-seq", "2");
    await image.rollback(1);
    await expect(image.version(1)).toHaveAttribute("data-live", "true");

    // The review shows what the own pack will add besides the tree's changes, before it runs.
    await page.goto(`${server.baseURL}/changes?image=${encodeURIComponent(name)}`);
    await page.getByTestId("pack-additions-toggle").click();
    await expect(page.getByTestId("pack-additions-lines")).toContainText(
      "added by packing: replaced etc/shadow (root's password 'cluster' (no root row in xCAT's passwd table))",
    );
    await expect(page.getByTestId("pack-additions-lines")).toContainText(
      "added by packing: replaced etc/localtime (site.timezone Universal)",
    );
    await page.goto(`${server.baseURL}/images/${encodeURIComponent(name)}`);

    // The own pack gives nodes what packimage gives them, without touching the tree, and says what it added.
    const shadowBefore = fs.readFileSync(path.join(rootimgdir, "rootimg/etc/shadow"), "utf8");
    await page.getByTestId("pack-method").selectOption("own");
    await page.getByTestId("pack").click();
    await expect(page.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
    await expect(page.getByTestId("image-job")).toContainText(
      "added by packing: replaced etc/shadow (root's password 'cluster' (no root row in xCAT's passwd table))",
    );
    await expect(page.getByTestId("image-job")).toContainText("added by packing: replaced etc/localtime (site.timezone Universal)");
    expect(fs.readFileSync(path.join(rootimgdir, "rootimg/etc/shadow"), "utf8")).toBe(shadowBefore);
    const shadowPacked = execFileSync("bsdtar", ["-xOf", path.join(rootimgdir, "rootimg.cpio.gz"), "./etc/shadow"], { encoding: "utf8" });
    expect(shadowPacked.split("\n")[0]).toBe("root:cluster:13880:0:99999:7:::");

    const calls = server.calls();
    expect(new Set(calls)).toEqual(
      new Set([
        "lsdef -t osimage",
        "lsdef -t osimage -l",
        `lsdef -t osimage -o ${name}`,
        `packimage ${name}`,
        "lsdef -t site -o clustersite -i installdir,timezone,secureroot",
        "tabdump passwd",
      ]),
    );
    expect(calls.filter((c) => c.startsWith("packimage"))).toHaveLength(1);
    // packimage's stamp is in the archive nodes download
    const info = execFileSync(
      "bsdtar",
      ["-xOf", path.join(rootimgdir, ".rootimg-studio/versions/2-rootimg.cpio.gz"), "./opt/xcat/xcatinfo"],
      { encoding: "utf8" },
    );
    expect(info).toContain(`IMAGENAME='${name}'`);
  } finally {
    await server.dispose();
  }
});

test("a server killed mid-pack: after restart the old archive is intact, temp files gone, the job interrupted", async () => {
  test.setTimeout(240_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-kill-"));
  const opts = {
    port: OWN_PORT.killDuringReplace,
    dataDir: path.join(tmp, "data"),
    adminPassword: PASSWORD,
    env: { ROOTIMG_XCAT_LOCK_DIR: path.join(tmp, "lock") },
  };
  let server = await startOwnServer(opts);
  const dir = path.join(tmp, "data/images", DEMO);
  try {
    let api = await signIn(server.baseURL);
    await waitForJob(api, await api.post(`/api/images/${DEMO}/unpack`, { data: {} }));
    // Incompressible data so the pack takes a few seconds.
    execFileSync("dd", ["if=/dev/urandom", `of=${path.join(dir, "rootimg/var/big.bin")}`, "bs=1M", "count=300", "status=none"]);
    const before = sha(path.join(dir, "rootimg.cpio.gz"));
    const pack = await (await api.post(`/api/images/${DEMO}/pack`, { data: { full: true } })).json();
    // mid-write: the temp archive beside the published one exists
    await expect.poll(() => fs.readdirSync(dir).some((f) => f.includes(".tmp-")), { timeout: 60_000, intervals: [50] }).toBe(true);
    await server.stop("SIGKILL");
    await api.dispose();

    server = await startOwnServer(opts);
    api = await signIn(server.baseURL);
    const job = await (await api.get(`/api/jobs/${pack.jobId}`)).json();
    expect(job.state).toBe("interrupted");
    expect(sha(path.join(dir, "rootimg.cpio.gz"))).toBe(before);
    expect(fs.readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
    const detail = await (await api.get(`/api/images/${DEMO}`)).json();
    expect(detail.versions.filter((v: { live: boolean }) => v.live).map((v: { seq: number }) => v.seq)).toEqual([1]);
    await api.dispose();
  } finally {
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
