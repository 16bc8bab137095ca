// The server killed with SIGKILL in the middle of writes to a file with two names (a save, an upload streaming
// in, an upload being copied in place), then started again on the same data directory: every name holds the old
// or the new content, both names the same, and no temp file is left in the tree or beside it. Then killed the
// instant a pack publishes: the published archive must be recorded as that pack's live version after the restart. A watcher on the
// tree's writes directory (inotify through fs.watch) kills the server the instant the write reaches the moment
// named. No timing assertions: killed at the first write into the file, the journal entry is already durable, so
// start-up must finish the write wherever the kill landed after it; killed while the upload streams in, the file
// was never touched.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type APIRequestContext, request } from "@playwright/test";
import { OWN_PORT } from "./e2e-env";
import { expect, test, uiLogin } from "./fixtures";
import { type OwnServer, startOwnServer } from "./own-server";

const PASSWORD = "crash-writes-admin-pw";
const DEMO = "demo-busybox-x86_64-netboot-compute";

test.describe.configure({ mode: "serial" });

let tmp = "";
let server: OwnServer | undefined;
let api: APIRequestContext | undefined;
const rootimgdir = () => path.join(tmp, "data/images", DEMO);
const tree = () => path.join(rootimgdir(), "rootimg");
const writesDir = () => path.join(rootimgdir(), ".rootimg-studio/rootimg/writes");
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function start(): Promise<void> {
  server = await startOwnServer({
    port: OWN_PORT.crashWrites,
    dataDir: path.join(tmp, "data"),
    adminPassword: PASSWORD,
    env: { ROOTIMG_XCAT_LOCK_DIR: path.join(tmp, "lock") },
  });
  const proc = server.proc;
  process.once("exit", () => proc.kill("SIGKILL"));
  await api?.dispose();
  api = await request.newContext({ baseURL: server.baseURL, extraHTTPHeaders: { origin: server.baseURL } });
  expect((await api.post("/api/auth/login", { data: { username: "admin", password: PASSWORD } })).status()).toBe(200);
}

/** Kills the server with SIGKILL at the first event in `dir` (a name created or modified) whose name matches `when`. */
function killWhen(dir: string, when: RegExp): { fired: () => boolean; stop: () => void } {
  fs.mkdirSync(dir, { recursive: true });
  let fired = false;
  const w = fs.watch(dir, (_ev, name) => {
    if (fired || !name || !when.test(name)) return;
    fired = true;
    server!.proc.kill("SIGKILL");
  });
  return { fired: () => fired, stop: () => w.close() };
}

async function killedAndRestarted(write: Promise<unknown>, watch: { fired: () => boolean; stop: () => void }): Promise<string> {
  await write.catch(() => {}); // the request dies with the server (or finished just before the kill)
  const exited =
    server!.proc.exitCode !== null || server!.proc.signalCode !== null
      ? Promise.resolve()
      : new Promise((r) => server!.proc.once("exit", r));
  if (!watch.fired()) server!.proc.kill("SIGKILL");
  await exited;
  watch.stop();
  await start();
  return server!.output();
}

/** Both names of the file hold the same content, the old or the new one, and nothing is left behind. */
function expectOldOrNew(old: Buffer, next: Buffer): Buffer {
  const a = fs.readFileSync(path.join(tree(), "etc/big.conf"));
  const b = fs.readFileSync(path.join(tree(), "etc/big.conf.link"));
  expect(sha(b)).toBe(sha(a));
  expect([sha(old), sha(next)]).toContain(sha(a));
  expect(fs.statSync(path.join(tree(), "etc/big.conf")).ino).toBe(fs.statSync(path.join(tree(), "etc/big.conf.link")).ino);
  expect(fs.readdirSync(path.join(tree(), "etc")).filter((n) => /rootimg/.test(n))).toEqual([]);
  expect(fs.existsSync(writesDir()) ? fs.readdirSync(writesDir()) : []).toEqual([]);
  return a;
}

test.beforeAll(async () => {
  test.setTimeout(300_000);
  const stale = await fetch(`http://127.0.0.1:${OWN_PORT.crashWrites}/login`).then(
    () => true,
    () => false,
  );
  expect(stale, `port ${OWN_PORT.crashWrites} is already in use: stop the server listening there`).toBe(false);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-crash-writes-"));
  await start();
  const unpack = await api!.post(`/api/images/${DEMO}/unpack`, { data: { mode: "unpack" } });
  const id = (await unpack.json()).jobId;
  await expect.poll(async () => (await (await api!.get(`/api/jobs/${id}`)).json()).state, { timeout: 120_000 }).toBe("succeeded");
  // what an admin does in the tree: a big file with a second name
  fs.writeFileSync(path.join(tree(), "etc/big.conf"), "old setting = 1\n".repeat(150_000));
  fs.linkSync(path.join(tree(), "etc/big.conf"), path.join(tree(), "etc/big.conf.link"));
});

test.afterAll(async () => {
  await api?.dispose().catch((e) => console.error("disposing the API client:", e));
  try {
    await server?.stop();
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("killed during a save of a hard-linked file, at its first write into the file: both names hold the new content after the restart", async () => {
  test.setTimeout(180_000);
  const old = fs.readFileSync(path.join(tree(), "etc/big.conf"));
  const read = await api!.get(`/api/images/${DEMO}/files/content?path=/etc/big.conf`);
  expect(read.status()).toBe(200);
  const next = Buffer.from("new setting = 2\n".repeat(150_000));
  // the target changes only after the journal entry and the staged content are durable: start-up finishes it
  const watch = killWhen(path.join(tree(), "etc"), /^big\.conf$/);
  const save = api!.put(`/api/images/${DEMO}/files/content`, {
    headers: { "if-match": read.headers().etag },
    data: { path: "/etc/big.conf", content: next.toString(), encoding: "utf-8" },
  });
  const out = await killedAndRestarted(save, watch);
  expect(sha(expectOldOrNew(old, next))).toBe(sha(next));
  // through the API too: both names read the same
  const [a, b] = await Promise.all(
    ["/etc/big.conf", "/etc/big.conf.link"].map(
      async (p) => (await (await api!.get(`/api/images/${DEMO}/files/content?path=${p}`)).json()).etag,
    ),
  );
  expect(b).toBe(a);
  // unless the write ended between the first byte and the kill, start-up says it finished it
  if (/interrupted write of \/etc\/big\.conf/.test(out))
    expect(out).toContain("it was written again completely (every name of the file has it)");
});

test("killed while an upload over it streams in: the file keeps its content, and the partial upload is gone", async () => {
  test.setTimeout(180_000);
  const old = fs.readFileSync(path.join(tree(), "etc/big.conf"));
  const next = Buffer.alloc(48 << 20, "uploaded\n");
  const watch = killWhen(writesDir(), /\.new$/);
  const upload = api!.put(`/api/images/${DEMO}/files/upload?dir=/etc&filename=big.conf&onConflict=replace`, {
    data: next,
    headers: { "content-type": "application/octet-stream" },
  });
  await killedAndRestarted(upload, watch);
  // the file is touched only once the upload is complete on disk
  expect(sha(expectOldOrNew(old, next))).toBe(sha(old));
});

test("killed while a finished upload is copied in place: both names hold the upload after the restart, shown alike in the browser", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const old = fs.readFileSync(path.join(tree(), "etc/big.conf"));
  const next = Buffer.alloc(48 << 20, "copied in place\n");
  const watch = killWhen(path.join(tree(), "etc"), /^big\.conf$/);
  const upload = api!.put(`/api/images/${DEMO}/files/upload?dir=/etc&filename=big.conf&onConflict=replace`, {
    data: next,
    headers: { "content-type": "application/octet-stream" },
  });
  const out = await killedAndRestarted(upload, watch);
  const now = expectOldOrNew(old, next);
  expect(sha(now)).toBe(sha(next));
  if (/interrupted write of \/etc\/big\.conf/.test(out)) {
    expect(out).toContain("it was written again completely");
    // the upload's request never answered: the audit log says what start-up did instead
    const audit = await (await api!.get(`/api/audit?image=${DEMO}&action=file.write.recover`)).json();
    expect(audit.entries[0]).toMatchObject({ target: "/etc/big.conf", outcome: "ok" });
  }
  await uiLogin(page, { username: "admin", password: PASSWORD }, server!.baseURL);
  for (const p of ["/etc/big.conf", "/etc/big.conf.link"]) {
    await page.goto(`${server!.baseURL}/images/${DEMO}/files?path=${p}`);
    await expect(page.getByTestId("details-panel")).toContainText(`(${now.length.toLocaleString("en")} bytes)`);
  }
});

test("killed the instant a pack publishes its archive: after the restart that archive is the live version, recorded as the pack's, with nothing pending", async ({
  page,
}) => {
  test.setTimeout(240_000);
  fs.writeFileSync(path.join(tree(), "etc/motd"), "packed just before the kill\n");
  const archive = path.join(rootimgdir(), "rootimg.cpio.gz");
  let fired = false;
  // the pack's rename creates the name (a link to the old archive only changes its attributes)
  const w = fs.watch(rootimgdir(), (ev, name) => {
    if (fired || ev !== "rename" || name !== "rootimg.cpio.gz") return;
    fired = true;
    server!.proc.kill("SIGKILL");
  });
  const started = await api!.post(`/api/images/${DEMO}/pack`, { data: {} });
  expect(started.status()).toBe(202);
  const jobId: string = (await started.json()).jobId;
  await killedAndRestarted(new Promise((r) => server!.proc.once("exit", r)), { fired: () => fired, stop: () => w.close() });
  const detail = await (await api!.get(`/api/images/${DEMO}`)).json();
  const live = detail.versions.find((v: { live: boolean }) => v.live);
  expect(live).toMatchObject({ jobId, packedBy: "admin", sha256: sha(fs.readFileSync(archive)) });
  expect(detail.pendingChanges).toBe(0);
  const job = await (await api!.get(`/api/jobs/${jobId}`)).json();
  if (job.state === "interrupted") {
    const audit = await (await api!.get(`/api/audit?image=${DEMO}&action=image.pack.recover`)).json();
    expect(audit.entries[0]).toMatchObject({ username: "admin", outcome: "ok" });
    // what the pack's page shows: its log says the publish was recorded after the restart
    await uiLogin(page, { username: "admin", password: PASSWORD }, server!.baseURL);
    await page.goto(`${server!.baseURL}/jobs/${jobId}`);
    await expect(page.getByText(/after restart: version \d+ was published by this pack before the server stopped/)).toBeVisible();
  } else expect(job.state).toBe("succeeded");
  // nothing left beside the archive, and every kept archive belongs to a version
  expect(fs.readdirSync(rootimgdir()).filter((f) => f.startsWith(".rootimg") && f !== ".rootimg-studio")).toEqual([]);
  const kept = fs.readdirSync(path.join(rootimgdir(), ".rootimg-studio/versions")).filter((f) => /^\d+-rootimg/.test(f));
  expect(kept.sort()).toEqual(detail.versions.map((v: { seq: number }) => `${v.seq}-rootimg.cpio.gz`).sort());
});
