// A chroot command cut by a killed server (SIGKILL), against a server of its own started again on the same
// data directory: nothing of the command may survive (no process, no mount, no overlay scratch), the tree is
// as before, the record says "interrupted", and the image can be edited again.
import fs from "node:fs";
import path from "node:path";
import { type APIRequestContext, request } from "@playwright/test";
import { OWN_PORT } from "./e2e-env";
import { expect, test } from "./fixtures";
import { type OwnServer, startOwnServer } from "./own-server";

const PASSWORD = "commands-restart-admin-pw";
const DEMO = "demo-busybox-x86_64-netboot-compute";

let tmp = "";
let server: OwnServer | undefined;
let api: APIRequestContext | undefined;

async function start(port: number): Promise<void> {
  server = await startOwnServer({
    port,
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

const processesUnder = (dir: string) =>
  fs
    .readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.readlinkSync(`/proc/${p}/root`).startsWith(dir) || fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes(dir);
      } catch {
        return false;
      }
    });

test.afterAll(async () => {
  await api?.dispose().catch(() => undefined);
  try {
    await server?.stop("SIGKILL");
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("a server killed during a command leaves no process, mount or overlay behind, and says so after the restart", async () => {
  test.setTimeout(240_000);
  const port = OWN_PORT.commandsRestart;
  tmp = fs.mkdtempSync("/tmp/e2e-commands-restart-");
  await start(port);
  const unpack = await api!.post(`/api/images/${DEMO}/unpack`, { data: { mode: "unpack" } });
  const unpackJob = (await unpack.json()).jobId;
  await expect.poll(async () => (await (await api!.get(`/api/jobs/${unpackJob}`)).json()).state, { timeout: 60_000 }).toBe("succeeded");
  const tree = path.join(tmp, "data/images", DEMO, "rootimg");
  const runs = path.join(tmp, "data/images", DEMO, ".rootimg-studio/rootimg/runs");

  const started = await api!.post(`/api/images/${DEMO}/commands`, {
    data: { line: "echo changed > /etc/motd; echo up; sleep 600", proc: true, dev: true },
  });
  expect(started.status()).toBe(202);
  const { runId, jobId } = await started.json();
  await expect.poll(() => processesUnder(runs).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);

  await server!.stop("SIGKILL");
  await start(port);
  expect(server!.output()).toContain("ended 1 command(s) or shell(s) left running by the previous run");

  expect(processesUnder(runs)).toEqual([]);
  expect(fs.readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(runs);
  expect(fs.existsSync(path.join(runs, runId))).toBe(false);
  expect(fs.readFileSync(path.join(tree, "etc/motd"), "utf8")).not.toContain("changed");
  const rec = await (await api!.get(`/api/images/${DEMO}/commands/${runId}`)).json();
  expect(rec).toMatchObject({ state: "interrupted", effectState: "discarded" });
  expect(rec.error).toContain("The server stopped while this ran");
  expect((await (await api!.get(`/api/jobs/${jobId}`)).json()).state).toBe("interrupted");

  // the image is free again: a new command runs
  const again = await api!.post(`/api/images/${DEMO}/commands`, { data: { line: "true" } });
  expect(again.status()).toBe(202);
  const next = await again.json();
  await expect.poll(async () => (await (await api!.get(`/api/jobs/${next.jobId}`)).json()).state, { timeout: 30_000 }).toBe("succeeded");
});
