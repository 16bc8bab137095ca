// Where overlayfs cannot be used (here turned off with ROOTIMG_OVERLAY=0, on a server of its own), a command
// runs straight in the tree: the page says so before anything runs, the effect is found by comparing the
// tree before and after, it is in the image at once (nothing to apply or discard), and the Changes page
// names the command.
import fs from "node:fs";
import path from "node:path";
import { type APIRequestContext, request } from "@playwright/test";
import { OWN_PORT } from "./e2e-env";
import { expect, test, uiLogin } from "./fixtures";
import { type OwnServer, startOwnServer } from "./own-server";

const PASSWORD = "commands-no-overlay-admin-pw";
const DEMO = "demo-busybox-x86_64-netboot-compute";

let tmp = "";
let server: OwnServer | undefined;
let api: APIRequestContext | undefined;

test.afterAll(async () => {
  await api?.dispose().catch(() => undefined);
  try {
    await server?.stop("SIGKILL");
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("without overlayfs a command runs in the tree, the page says so, and its effect is listed as already applied", async ({ page }) => {
  test.setTimeout(180_000);
  tmp = fs.mkdtempSync("/tmp/e2e-commands-no-overlay-");
  server = await startOwnServer({
    port: OWN_PORT.commandsNoOverlay,
    dataDir: path.join(tmp, "data"),
    adminPassword: PASSWORD,
    env: { ROOTIMG_OVERLAY: "0", ROOTIMG_XCAT_LOCK_DIR: path.join(tmp, "lock") },
  });
  const proc = server.proc;
  process.once("exit", () => proc.kill("SIGKILL"));
  api = await request.newContext({ baseURL: server.baseURL, extraHTTPHeaders: { origin: server.baseURL } });
  expect((await api.post("/api/auth/login", { data: { username: "admin", password: PASSWORD } })).status()).toBe(200);
  const unpackJob = (await (await api.post(`/api/images/${DEMO}/unpack`, { data: { mode: "unpack" } })).json()).jobId;
  await expect.poll(async () => (await (await api!.get(`/api/jobs/${unpackJob}`)).json()).state, { timeout: 60_000 }).toBe("succeeded");
  const tree = path.join(tmp, "data/images", DEMO, "rootimg");

  await uiLogin(page, { username: "admin", password: PASSWORD }, server.baseURL);
  await page.goto(`${server.baseURL}/images/${DEMO}/commands`);
  await expect(page.getByTestId("commands-mode")).toContainText("no overlay");
  await expect(page.getByTestId("commands-no-overlay")).toContainText("ROOTIMG_OVERLAY=0");
  await expect(page.getByTestId("commands-no-overlay")).toContainText("cannot be discarded");

  const line = "chmod 700 /usr/local/bin/hello; echo added > /etc/added-in-place";
  await page.getByTestId("run-line-input").fill(line);
  await page.getByTestId("run-submit").click();
  const view = page.getByTestId("run-view");
  await expect(view.getByTestId("run-status")).toHaveAttribute("data-state", "exited");
  await expect(view.getByTestId("run-line")).toContainText(line);
  await expect(view.getByTestId("effect")).toHaveAttribute("data-effect-state", "direct");
  await expect(view.getByTestId("effect-state")).toContainText("already in the image");
  await expect(view.locator('[data-testid=effect-row][data-path="/usr/local/bin/hello"]')).toHaveAttribute("data-kind", "metadata");
  await expect(view.locator('[data-testid=effect-row][data-path="/etc/added-in-place"]')).toHaveAttribute("data-kind", "added");
  await expect(view.getByTestId("effect-apply")).toHaveCount(0);
  await expect(view.getByTestId("effect-discard")).toHaveCount(0);
  expect(fs.statSync(path.join(tree, "usr/local/bin/hello")).mode & 0o777).toBe(0o700);
  expect(fs.readFileSync(path.join(tree, "etc/added-in-place"), "utf8")).toBe("added\n");

  await page.goto(`${server.baseURL}/changes?image=${DEMO}`);
  const change = page.locator('[data-testid=change-row][data-path="/usr/local/bin/hello"]');
  await expect(change.getByTestId("change-command")).toContainText(line);
});
