// Deploy, end to end, on servers of their own: the local backend (a QEMU test host really boots the packed demo
// image) and the xCAT backend (the fake xCAT: exact nodeset/rpower command lines, node state between calls).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type APIRequestContext, type Page, request } from "@playwright/test";
import { OWN_PORT } from "./e2e-env";
import { startFakeXcatServer } from "./fake-xcat-server";
import { expect, test } from "./fixtures";
import { startOwnServer } from "./own-server";

const PASSWORD = "deploy-admin-password";
const DEMO = "demo-busybox-x86_64-netboot-compute";
const HOST = "testhost-a000";

async function signIn(page: Page, baseURL: string) {
  await page.goto(`${baseURL}/login`);
  await page.getByTestId("login-username").fill("admin");
  await page.getByTestId("login-password").fill(PASSWORD);
  await page.getByTestId("login-submit").click();
  await expect(page.getByTestId("current-user")).toHaveText("admin");
}

async function apiAt(baseURL: string, creds = { username: "admin", password: PASSWORD }): Promise<APIRequestContext> {
  const api = await request.newContext({ baseURL, extraHTTPHeaders: { origin: baseURL } });
  expect((await api.post("/api/auth/login", { data: creds })).status()).toBe(200);
  return api;
}

async function waitJob(page: Page) {
  await expect(page.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded", { timeout: 90_000 });
}

/**
 * Image page: unpack, edit /etc/motd in the editor, (with `command`) run a command in the image on the Commands
 * page and apply its effect, pack; returns the new live version's stamp.
 */
async function unpackEditPack(
  page: Page,
  baseURL: string,
  image: string,
  line: string,
  command?: { line: string; changes: string },
): Promise<string> {
  await page.goto(`${baseURL}/images/${image}`);
  await page.getByTestId("unpack").click();
  await waitJob(page);
  await page.goto(`${baseURL}/images/${image}/files?path=/etc/motd`);
  await expect(page.locator('[data-testid=editor-tab][data-path="/etc/motd"]')).toBeVisible();
  await page.getByTestId("code-editor").locator(".view-lines").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type(`${line}\n`);
  await page.getByTestId("save-file").click();
  await expect(page.getByTestId("save-message")).toHaveText("Saved");
  if (command) {
    await page.goto(`${baseURL}/images/${image}/commands`);
    await page.getByTestId("run-line-input").fill(command.line);
    await page.getByTestId("run-submit").click();
    const view = page.getByTestId("run-view");
    await expect(view.getByTestId("run-status")).toHaveAttribute("data-state", "exited", { timeout: 60_000 });
    await expect(view.getByTestId("run-status")).toHaveAttribute("data-exit", "0");
    // the command ran in an overlay: its effect reaches the tree (and so the pack) once applied
    await expect(view.locator(`[data-testid=effect-row][data-path="${command.changes}"]`)).toBeVisible();
    await view.getByTestId("effect-apply").click();
    await expect(view.getByTestId("effect-state")).toContainText("applied by admin");
  }
  await page.goto(`${baseURL}/images/${image}`);
  await expect(page.getByTestId("image-versions")).toBeVisible();
  const before = await page.getByTestId("version-row").count();
  await page.getByTestId("pack").click();
  await waitJob(page);
  // The pack has recorded everything now (on xCAT also the archive found before the first pack, as version 1):
  // read the table fresh, not a refetch made while the pack was still recording.
  await page.reload();
  await expect(page.getByTestId("image-versions")).toBeVisible();
  await expect.poll(() => page.getByTestId("version-row").count()).toBeGreaterThan(before);
  const newest = await page
    .getByTestId("version-row")
    .evaluateAll((rows) => Math.max(...rows.map((r) => Number(r.getAttribute("data-seq")))));
  await expect(page.locator(`[data-testid="version-row"][data-seq="${newest}"]`)).toHaveAttribute("data-live", "true");
  return liveStamp(page);
}

async function liveStamp(page: Page): Promise<string> {
  const live = page.locator('[data-testid="version-row"][data-live="true"]');
  await expect(live).toBeVisible();
  const stamp = (await live.locator("td.mono").textContent())!.trim();
  expect(stamp).toMatch(/^[0-9a-f-]{36}$/);
  return stamp;
}

async function rollBackTo(page: Page, baseURL: string, image: string, seq: number): Promise<string> {
  await page.goto(`${baseURL}/images/${image}`);
  const row = page.locator(`[data-testid="version-row"][data-seq="${seq}"]`);
  await row.getByTestId("rollback").click();
  await row.getByTestId("rollback-confirm").click();
  await expect(row).toHaveAttribute("data-live", "true");
  return liveStamp(page);
}

/** Nodes page: pick the nodes, Deploy…, check the confirm screen, confirm, wait for each node's final state. */
async function deployFromNodesPage(
  page: Page,
  baseURL: string,
  opts: { image: string; stamp: string; testHosts?: string[]; nodes?: string[]; expect: Record<string, string> },
) {
  await page.goto(`${baseURL}/nodes`);
  for (const h of opts.testHosts ?? [])
    await page.locator(`[data-testid=test-host-row][data-host="${h}"]`).getByTestId("pick-test-host").check();
  for (const n of opts.nodes ?? []) await page.locator(`[data-testid=xcat-node-row][data-node="${n}"]`).getByTestId("pick-node").check();
  await page.getByTestId("deploy-image").selectOption(opts.image);
  await page.getByTestId("deploy-check").click();
  await expect(page.getByTestId("confirm-image")).toHaveText(opts.image);
  await expect(page.getByTestId("confirm-stamp")).toHaveText(opts.stamp);
  const clicked = Date.now();
  await page.getByTestId("deploy-confirm-button").click();
  for (const [node, state] of Object.entries(opts.expect))
    await expect(page.locator(`[data-testid=deploy-target][data-node="${node}"]`)).toHaveAttribute("data-state", state, {
      timeout: 180_000,
    });
  const seconds = (Date.now() - clicked) / 1000;
  await expect(page.getByTestId("deploy-progress")).toHaveAttribute("data-finished", "true");
  return { seconds, jobId: (await page.getByTestId("deploy-job").getAttribute("data-job"))! };
}

test("local backend: unpack the demo image, edit /etc/motd, run a command in it, pack, deploy to a test host that boots it in QEMU, verified; roll back and deploy again", async ({
  page,
}) => {
  test.setTimeout(600_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-deploy-local-"));
  const server = await startOwnServer({ port: OWN_PORT.deployLocal, dataDir: path.join(tmp, "data"), adminPassword: PASSWORD });
  const base = server.baseURL;
  try {
    await signIn(page, base);
    // the demo set-up created a test host for the demo image
    await page.goto(`${base}/nodes`);
    await expect(page.getByTestId("nodes-backend")).toHaveText("local backend");
    await expect(page.locator(`[data-testid=test-host-row][data-host="${HOST}"]`)).toHaveAttribute("data-status", "off");
    const oldStamp = await (async () => {
      await page.goto(`${base}/images/${DEMO}`);
      return liveStamp(page);
    })();

    const marker = `deployed by the e2e test ${Date.now()}`;
    // the command gives the image a new host name, which the demo image's /init prints when it boots
    const hostname = `e2e-node-${Date.now()}`;
    const newStamp = await unpackEditPack(page, base, DEMO, marker, {
      line: `echo ${hostname} > /etc/hostname && cat /etc/hostname`,
      changes: "/etc/hostname",
    });
    expect(newStamp).not.toBe(oldStamp);

    const first = await deployFromNodesPage(page, base, {
      image: DEMO,
      stamp: newStamp,
      testHosts: [HOST],
      expect: { [HOST]: "verified" },
    });
    const target = page.locator(`[data-testid=deploy-target][data-node="${HOST}"]`);
    await expect(target.getByTestId("deploy-target-stamp")).toHaveText(newStamp);
    // the console shows the boot and the new motd, live in xterm.js, and stays after the machine powered off
    const consolePanel = page.getByTestId("console-panel");
    await expect(consolePanel).toHaveAttribute("data-host", HOST);
    await expect(page.getByTestId("console")).toContainText(marker, { timeout: 30_000 });
    await expect(page.getByTestId("console")).toContainText(`=== Rootimg Studio demo image: ${hostname} booted ===`);
    await expect(page.locator(`[data-testid=test-host-row][data-host="${HOST}"]`)).toHaveAttribute("data-status", "off", {
      timeout: 60_000,
    });
    await page.reload();
    await page.locator(`[data-testid=test-host-row][data-host="${HOST}"]`).getByTestId("host-console").click();
    await expect(page.getByTestId("console")).toContainText("demo image done, powering off");
    const text = await (await page.request.get(`${base}/api/test-hosts/${HOST}/console`)).text();
    expect(text).toContain(`IMAGEUUID='${newStamp}'`);
    expect(text).toContain(marker);
    expect(text).toContain(`demo image: ${hostname} booted`);
    console.log(`deploy to verified (click to verified, demo image, local test host): ${first.seconds.toFixed(1)} s`);

    // a second test host, defined in the product
    await page.goto(`${base}/nodes`);
    await page.getByTestId("add-test-host").click();
    await page.getByTestId("test-host-name").fill("testhost-a001");
    await page.getByTestId("test-host-image").selectOption(DEMO);
    await page.getByTestId("test-host-create").click();
    await expect(page.locator('[data-testid=test-host-row][data-host="testhost-a001"]')).toHaveAttribute("data-status", "off");

    // roll back to the first version, deploy the image again to both hosts at once: the old stamp is verified
    const rolled = await rollBackTo(page, base, DEMO, 1);
    expect(rolled).toBe(oldStamp);
    const second = await deployFromNodesPage(page, base, {
      image: DEMO,
      stamp: oldStamp,
      testHosts: [HOST, "testhost-a001"],
      expect: { [HOST]: "verified", "testhost-a001": "verified" },
    });
    for (const h of [HOST, "testhost-a001"])
      await expect(page.locator(`[data-testid=deploy-target][data-node="${h}"]`).getByTestId("deploy-target-stamp")).toHaveText(oldStamp);
    console.log(`deploy to verified after the rollback, two test hosts at once: ${second.seconds.toFixed(1)} s`);

    // audited with the node and the result
    const api = await apiAt(base);
    const audit = await (await api.get(`/api/audit?limit=200`)).json();
    const actions = audit.entries
      .filter((e: { node: string | null }) => e.node === HOST)
      .map((e: { action: string; outcome: string }) => `${e.action} ${e.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(["node.nodeset ok", "node.power ok"]));

    // bad input: an unknown test host, two deploys to one node, a count over the admin's cap, an editor on xCAT nodes
    const unknown = await api.post("/api/deploys", { data: { image: DEMO, testHosts: ["testhost-zzz"], confirm: true } });
    expect(unknown.status()).toBe(404);
    expect((await unknown.json()).error.message).toContain("unknown test host testhost-zzz");
    const started = await api.post("/api/deploys", { data: { image: DEMO, testHosts: [HOST], confirm: true } });
    expect(started.status()).toBe(200);
    const twice = await api.post("/api/deploys", { data: { image: DEMO, testHosts: [HOST], confirm: true } });
    expect(twice.status()).toBe(409);
    expect((await twice.json()).error.message).toContain(`already deploying: ${HOST}`);
    expect((await api.put("/api/deploy-settings", { data: { maxNodes: 1, xcatBootTimeoutSec: 600 } })).status()).toBe(200);
    const capped = await api.post("/api/deploys", { data: { image: DEMO, testHosts: [HOST, "testhost-a001"], confirm: false } });
    expect(capped.status()).toBe(422);
    expect((await capped.json()).error.message).toContain("at most 1 per deploy");
    await api.post(`/api/jobs/${(await started.json()).jobId}/cancel`);
    await api.dispose();
  } finally {
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("xCAT backend (fake xCAT): deploy runs nodeset and rpower boot, reads the stamp over ssh, verified; roll back, old stamp; one node failing", async ({
  page,
}) => {
  test.setTimeout(300_000);
  const node = (ip: string, extra: Record<string, string> = {}) => ({
    arch: "x86_64",
    groups: "compute,all",
    mgt: "ipmi",
    netboot: "xnba",
    ip,
    ...extra,
  });
  const server = await startFakeXcatServer({
    port: OWN_PORT.deployXcat,
    adminPassword: PASSWORD,
    prefix: "e2e-deploy-xcat-",
    state: {
      nodes: {
        cn01: node("127.0.1.10", { bmc: "127.0.2.10" }),
        cn02: node("127.0.1.11", { bmc: "127.0.2.11" }),
        p9n01: node("127.0.1.20", { arch: "ppc64le", groups: "power,all" }),
      },
      bmcs: { "127.0.2.10": { power: "off" } },
      dhcp: true,
    },
    env: { ROOTIMG_SSH: path.join(process.cwd(), "test/fake-xcat/bin/ssh") },
  });
  const { name, calls } = server;
  const base = server.baseURL;
  try {
    await signIn(page, base);
    await page.goto(`${base}/nodes`);
    await expect(page.getByTestId("nodes-backend")).toHaveText("xCAT backend");
    await expect(page.getByTestId("xcat-node-row")).toHaveCount(3);
    const marker = `xcat deploy ${Date.now()}`;
    const newStamp = await unpackEditPack(page, base, name, marker);
    // By default deploying to xCAT nodes needs a version packed from an approved change request; this spec
    // deploys packs made without one, so it lets the image do that (after checking the refusal).
    const admin = await apiAt(base);
    const refused = await admin.post("/api/deploys", { data: { image: name, nodes: ["cn01"], confirm: false } });
    expect(refused.status()).toBe(409);
    expect((await refused.json()).error.reason).toBe("approval-required");
    expect(
      (
        await admin.put(`/api/images/${name}/review-policy`, { data: { packRequiresApproval: false, deployRequiresApproval: false } })
      ).status(),
    ).toBe(200);
    await admin.dispose();

    server.clearCalls();
    await deployFromNodesPage(page, base, { image: name, stamp: newStamp, nodes: ["cn01"], expect: { cn01: "verified" } });
    await expect(page.locator('[data-testid=deploy-target][data-node="cn01"]').getByTestId("deploy-target-stamp")).toHaveText(newStamp);
    expect(calls()).toContain(`nodeset cn01 osimage=${name}`);
    expect(calls()).toContain("rpower cn01 boot");
    expect(calls()).toContain("ssh -o BatchMode=yes -o ConnectTimeout=10 -o StrictHostKeyChecking=accept-new cn01 cat /opt/xcat/xcatinfo");
    expect(calls().filter((c) => /^(nodeset|rpower) /.test(c))).toEqual([`nodeset cn01 osimage=${name}`, "rpower cn01 boot"]);
    // nodeset changed what lsdef says about the node
    await page.goto(`${base}/nodes`);
    await expect(page.locator('[data-testid=xcat-node-row][data-node="cn01"]').getByTestId("node-currstate")).toContainText(
      "netboot rhels9.4-x86_64-compute",
    );

    // roll back to version 1 and deploy again: the node boots the old pack, and that stamp is verified
    const v1 = await rollBackTo(page, base, name, 1);
    expect(v1).not.toBe(newStamp);
    server.clearCalls();
    await deployFromNodesPage(page, base, { image: name, stamp: v1, nodes: ["cn01"], expect: { cn01: "verified" } });
    await expect(page.locator('[data-testid=deploy-target][data-node="cn01"]').getByTestId("deploy-target-stamp")).toHaveText(v1);
    // cn01 was on: boot resets it
    expect(calls().filter((c) => /^(nodeset|rpower) /.test(c))).toEqual([`nodeset cn01 osimage=${name}`, "rpower cn01 boot"]);

    // one node of two cannot be powered (its BMC never answers): it fails with xCAT's message, the other is verified
    server.clearCalls();
    await deployFromNodesPage(page, base, {
      image: name,
      stamp: v1,
      nodes: ["cn01", "cn02"],
      expect: { cn01: "verified", cn02: "failed" },
    });
    await expect(page.locator('[data-testid=deploy-target][data-node="cn02"]').getByTestId("deploy-target-message")).toContainText(
      "rpower boot: ERROR: timeout",
    );
    expect(calls()).toContain(`nodeset cn01,cn02 osimage=${name}`);
    expect(calls()).toContain("rpower cn01,cn02 boot");

    // bad input through the API: arch mismatch, unknown node, editor on xCAT nodes, a non-live version
    const api = await apiAt(base);
    const arch = await api.post("/api/deploys", { data: { image: name, nodes: ["p9n01"], confirm: false } });
    expect(arch.status()).toBe(422);
    expect((await arch.json()).error.message).toBe(`p9n01 is ppc64le; ${name} is x86_64`);
    const unknown = await api.post("/api/deploys", { data: { image: name, nodes: ["cn99"], confirm: false } });
    expect(unknown.status()).toBe(404);
    expect((await unknown.json()).error.message).toBe("unknown node: cn99");
    const notLive = await api.post("/api/deploys", { data: { image: name, versionSeq: 2, nodes: ["cn01"], confirm: false } });
    expect(notLive.status()).toBe(422);
    const editorCreds = { username: `ed-${Date.now()}`, password: "editor-password-1" };
    expect((await api.post("/api/users", { data: { ...editorCreds, role: "editor" } })).status()).toBe(201);
    const ed = await apiAt(base, editorCreds);
    expect((await ed.post("/api/deploys", { data: { image: name, nodes: ["cn01"], confirm: true } })).status()).toBe(403);
    await ed.dispose();
    // ssh NODE reboot, the alternative to rpower
    const ssh = await (await api.post("/api/nodes/power", { data: { nodes: ["cn01"], action: "ssh-reboot" } })).json();
    expect(ssh.results).toEqual([{ node: "cn01", ok: true, warnings: [] }]);
    expect(calls()).toContain("ssh -o BatchMode=yes -o ConnectTimeout=10 -o StrictHostKeyChecking=accept-new cn01 reboot");
    // power per node: results per node, audited
    const pw = await (await api.post("/api/nodes/power", { data: { nodes: ["cn01", "cn02"], action: "stat" } })).json();
    expect(pw.results.map((r: { node: string; ok: boolean }) => [r.node, r.ok])).toEqual([
      ["cn01", true],
      ["cn02", false],
    ]);
    await api.dispose();
  } finally {
    await server.dispose();
  }
});
