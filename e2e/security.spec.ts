import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { APIRequestContext } from "@playwright/test";
import { ensureUnpacked, DEMO_IMAGE as IMAGE } from "./demo-image";
import { apiAs, createUser, expect, test, uiLogin, uniqueName } from "./fixtures";
import { newImage } from "./own-image";
import { waitForJob } from "./wait-job";

// Privileged modes and sensitive files through the API, against the real unpacked demo image.
const files = `/api/images/${IMAGE}/files`;
const modeOf = (p: string) => (fs.statSync(p).mode & 0o7777).toString(8).padStart(4, "0");

let tree: string;

async function audit(admin: APIRequestContext, action: string, target: string) {
  const { entries } = await (await admin.get(`/api/audit?action=${encodeURIComponent(action)}&image=${IMAGE}&limit=50`)).json();
  return (entries as { action: string; target: string; outcome: string; detail: { privileged?: string[] } }[]).filter(
    (e) => e.target === target,
  );
}

test("local privilege escalation: an editor can neither create a setuid file nor keep one by uploading over it", async ({ adminApi }) => {
  tree = await ensureUnpacked(adminApi);
  const editor = await apiAs(await createUser(adminApi, "editor"));
  const p = `/tmp/${uniqueName("suid")}`;

  // the attack: create 4755, then upload a binary over it with onConflict=replace
  const create = await editor.post(`${files}/create`, { data: { path: p, type: "file", mode: "4755" } });
  expect(create.status()).toBe(403);
  expect((await create.json()).error.message).toMatch(/setuid needs the admin role/);
  expect(fs.existsSync(path.join(tree, p))).toBe(false);
  expect((await audit(adminApi, "file.privileged", p)).map((e) => e.outcome)).toEqual(["denied"]);

  // an admin may, audited under its own action name and marked for the review
  expect((await adminApi.post(`${files}/create`, { data: { path: p, type: "file", mode: "4755" } })).status()).toBe(201);
  expect(modeOf(path.join(tree, p))).toBe("4755");
  const setuid = await audit(adminApi, "file.setuid", p);
  expect(setuid.map((e) => [e.outcome, e.detail.privileged])).toEqual([["ok", ["setuid"]]]);

  // the editor's upload over it replaces the content but not the privilege
  const up = await editor.put(`${files}/upload?dir=/tmp&filename=${path.basename(p)}&onConflict=replace`, {
    headers: { "content-type": "application/octet-stream" },
    data: fs.readFileSync("/usr/bin/id"),
  });
  expect(up.status()).toBe(201);
  expect(modeOf(path.join(tree, p))).toBe("0755");

  // nor by chmod, nor by handing a world-executable file to root
  expect((await editor.patch(`${files}/attributes`, { data: { path: p, mode: "4755" } })).status()).toBe(403);
  expect((await editor.patch(`${files}/attributes`, { data: { path: p, mode: "2755" } })).status()).toBe(403);
  expect((await adminApi.patch(`${files}/attributes`, { data: { path: p, owner: "hpcuser" } })).status()).toBe(200);
  expect((await editor.patch(`${files}/attributes`, { data: { path: p, owner: "root" } })).status()).toBe(403);
  expect(fs.statSync(path.join(tree, p)).uid).toBe(1001);
  // ordinary modes stay the editor's
  expect((await editor.patch(`${files}/attributes`, { data: { path: p, mode: "0750" } })).status()).toBe(200);

  // an admin can allow editors on this image (the setting everyone sees)
  const before = await (await adminApi.get("/api/security-settings")).json();
  expect((await adminApi.put("/api/security-settings", { data: { ...before, privilegedEditorImages: [IMAGE] } })).status()).toBe(200);
  try {
    expect((await editor.patch(`${files}/attributes`, { data: { path: p, mode: "4750" } })).status()).toBe(200);
    expect(modeOf(path.join(tree, p))).toBe("4750");
  } finally {
    expect((await adminApi.put("/api/security-settings", { data: before })).status()).toBe(200);
  }
  await adminApi.delete(`${files}/entry?path=${encodeURIComponent(p)}`);
  await editor.dispose();
});

test("local privilege escalation through a command: an editor's setuid program or device node waits for an admin, who applies it audited", async ({
  adminApi,
}) => {
  // a command holds its image: a copy of the spec's own
  const { name, tree } = await newImage(adminApi, "suidcmd", { unpacked: true });
  const editor = await apiAs(await createUser(adminApi, "editor"));
  const audits = async (action: string) => {
    const { entries } = await (await adminApi.get(`/api/audit?action=${action}&image=${name}&limit=50`)).json();
    return (entries as { target: string; outcome: string; detail: { privileged?: string[] } }[]).map((e) => [
      e.target,
      e.outcome,
      e.detail.privileged,
    ]);
  };
  const run = async (line: string) => {
    const started = await editor.post(`/api/images/${name}/commands`, { data: { line } });
    expect(started.status(), await started.text()).toBe(202);
    const { runId, jobId } = await started.json();
    await waitForJob(editor, jobId);
    return runId as string;
  };

  // the attack: a setuid copy of a shell and a block device of the host's first disk, made in the chroot
  const id = await run("cp /bin/busybox /tmp/rootsh && chmod 4755 /tmp/rootsh && mknod /tmp/disk b 8 0");
  const refused = await editor.post(`/api/images/${name}/commands/${id}/apply`);
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.message).toMatch(/setuid and device needs the admin role/);
  expect(fs.existsSync(path.join(tree, "tmp/rootsh"))).toBe(false);
  expect(fs.existsSync(path.join(tree, "tmp/disk"))).toBe(false);
  expect(await audits("file.privileged")).toEqual([[expect.stringMatching(/^2 paths \(\/tmp\//), "denied", ["setuid", "device"]]]);

  // the effect is still pending: an admin applies it, each path audited under its own action name
  expect((await adminApi.post(`/api/images/${name}/commands/${id}/apply`)).status()).toBe(200);
  expect(modeOf(path.join(tree, "tmp/rootsh"))).toBe("4755");
  expect(fs.lstatSync(path.join(tree, "tmp/disk")).isBlockDevice()).toBe(true);
  expect(await audits("file.setuid")).toEqual([["/tmp/rootsh", "ok", ["setuid"]]]);
  expect(await audits("file.device")).toEqual([["/tmp/disk", "ok", ["device"]]]);

  // new content under a setuid program's kept bits (as an upload over it), with "apply automatically": left pending
  const started = await editor.post(`/api/images/${name}/commands`, {
    data: { line: "cp /bin/busybox /usr/local/sbin/suid-helper", autoApply: true },
  });
  const job = await waitForJob(editor, started);
  const { lines } = await (await editor.get(`/api/jobs/${job.id}/log`)).json();
  expect((lines as { line: string }[]).map((l) => l.line)).toContainEqual(expect.stringMatching(/^not applied automatically: .*setuid/));
  const helper = await (await editor.get(`/api/images/${name}/commands/${(await started.json()).runId}`)).json();
  expect(helper.effectState).toBe("pending");
  expect(fs.readFileSync(path.join(tree, "usr/local/sbin/suid-helper"), "utf8")).toContain("#!/bin/sh");
  // ordinary work applies as before
  const plain = await run("echo hello > /etc/motd && cp /bin/busybox /usr/local/bin/bb");
  expect((await editor.post(`/api/images/${name}/commands/${plain}/apply`)).status()).toBe(200);
  expect(modeOf(path.join(tree, "usr/local/bin/bb"))).toBe("0755");
  await editor.dispose();
});

test("sensitive image files: viewers see that /etc/shadow and munge.key exist, not their content; editors read them", async ({
  adminApi,
}) => {
  tree = await ensureUnpacked(adminApi);
  const viewer = await apiAs(await createUser(adminApi, "viewer"));
  const editor = await apiAs(await createUser(adminApi, "editor"));
  for (const p of ["/etc/shadow", "/etc/munge/munge.key"]) {
    const stat = await viewer.get(`${files}/stat?path=${p}`);
    expect(stat.status(), p).toBe(200);
    const r = await viewer.get(`${files}/content?path=${p}`);
    expect(r.status(), p).toBe(403);
    expect((await r.json()).error.message).toMatch(/sensitive file/);
    expect((await viewer.get(`${files}/download?path=${p}`)).status(), p).toBe(403);
    expect((await editor.get(`${files}/content?path=${p}`)).status(), p).toBe(200);
  }
  // a directory archive for a viewer leaves them out, and keeps the rest
  const tar = await viewer.get(`${files}/download?path=/etc`);
  expect(tar.status()).toBe(200);
  const list = execFileSync("tar", ["-tf", "-"], { input: await tar.body() })
    .toString()
    .split("\n");
  expect(list).toContain("etc/passwd");
  expect(list).not.toContain("etc/shadow");
  expect(list).not.toContain("etc/munge/munge.key");
  // the rule is visible to the viewer
  const settings = await (await viewer.get("/api/security-settings")).json();
  expect(settings.sensitivePaths).toContain("/etc/shadow");
  expect((await viewer.put("/api/security-settings", { data: settings })).status()).toBe(403);
  await Promise.all([viewer.dispose(), editor.dispose()]);
});

test("behind the browser: the pages carry a nonce CSP, nosniff, a referrer policy and frame-ancestors 'none', and the editor works under it", async ({
  page,
  adminApi,
}) => {
  await ensureUnpacked(adminApi);
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  const res = await page.goto("/login");
  const h = res?.headers() ?? {};
  expect(h["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
  expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["referrer-policy"]).toBe("same-origin");
  const user = await createUser(adminApi, "editor");
  await uiLogin(page, user);
  await page.goto(`/images/${IMAGE}/files`);
  await page.getByTestId("jump-path").fill("/etc/motd");
  await page.getByTestId("jump-path").press("Enter");
  await expect(page.getByTestId("code-editor").locator(".view-lines")).toContainText("Welcome");
  // Monaco's workers start under the policy (a worker blocked by CSP never appears here)
  await expect.poll(() => page.workers().length).toBeGreaterThan(0);
  expect(violations).toEqual([]);
});
