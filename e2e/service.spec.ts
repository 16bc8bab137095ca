// The service as an admin installs it: the systemd unit (valid, and its command line starts and stops the
// server cleanly with the configuration file it names), TLS with a self-signed certificate, and the refusal
// of a non-loopback listen without TLS. Every server here listens on loopback only.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { OWN_PORT } from "./e2e-env";
import { expect, test } from "./fixtures";

const PASSWORD = "service-admin-pw";

function parseUnit(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) (out[m[1]] ??= []).push(m[2]);
  }
  return out;
}

function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

function spawnLogged(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: Record<string, string> },
): { proc: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = "";
  const proc = spawn(cmd, args, { cwd: opts.cwd, env: opts.env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout?.on("data", (b) => (out += b));
  proc.stderr?.on("data", (b) => (out += b));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

async function waitFor(url: string, proc: ChildProcess, output: () => string, init?: RequestInit): Promise<Response> {
  for (let i = 0; i < 480; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited (${proc.exitCode}):\n${output()}`);
    try {
      return await fetch(url, init);
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no answer from ${url}:\n${output()}`);
}

test("the systemd unit is valid, and its command line with its configuration file serves and stops cleanly on SIGTERM", async () => {
  test.setTimeout(240_000);
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-service-"));
  execFileSync("scripts/install-service.sh", ["--dest-root", stage, "--no-setup"], { stdio: "pipe" });
  const unitFile = path.join(stage, "etc/systemd/system/rootimg-studio.service");
  const envFile = path.join(stage, "etc/rootimg-studio/env");
  expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
  expect(fs.statSync(path.join(stage, "var/lib/rootimg-studio")).isDirectory()).toBe(true);

  // systemd's own checker: syntax, known directives, an absolute ExecStart that exists.
  const verify = spawnSync("systemd-analyze", ["verify", unitFile], { encoding: "utf8" });
  expect(verify.status, verify.stderr).toBe(0);
  // systemd-analyze exits 0 even for a directive it ignores: what counts is that nothing names our unit
  // (warnings about other units of the machine may appear).
  const about = (r: { stdout: string; stderr: string }, file: string) =>
    `${r.stdout}\n${r.stderr}`.split("\n").filter((l) => l.includes(path.basename(file)));
  expect(about(verify, unitFile)).toEqual([]);
  // ...and it does report a broken unit that way, so the pass above means something.
  const broken = path.join(stage, "broken.service");
  fs.writeFileSync(broken, fs.readFileSync(unitFile, "utf8").replace("KillMode=mixed", "KillMode=sometimes"));
  expect(about(spawnSync("systemd-analyze", ["verify", broken], { encoding: "utf8" }), broken).join("\n")).toMatch(/kill ?mode/i);

  const unit = parseUnit(fs.readFileSync(unitFile, "utf8"));
  expect(unit.EnvironmentFile).toEqual(["/etc/rootimg-studio/env"]);
  expect(unit.WorkingDirectory).toEqual([process.cwd()]);
  const config = parseEnvFile(fs.readFileSync(envFile, "utf8"));
  expect(config).toMatchObject({ ROOTIMG_DATA_DIR: "/var/lib/rootimg-studio", HOST: "127.0.0.1" });

  // Started as systemd would: a clean environment from Environment= and the configuration file, which the
  // admin edits (here: another data directory and port, so the test leaves /var/lib alone).
  const port = OWN_PORT.serviceUnit;
  const dataDir = path.join(stage, "data");
  fs.appendFileSync(envFile, `ROOTIMG_DATA_DIR=${dataDir}\nPORT=${port}\nADMIN_PASSWORD=${PASSWORD}\nROOTIMG_DEMO_IMAGE=0\n`);
  const env: Record<string, string> = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" };
  for (const assignment of unit.Environment.join(" ").split(/\s+/)) {
    const [k, ...v] = assignment.split("=");
    env[k] = v.join("=");
  }
  Object.assign(env, parseEnvFile(fs.readFileSync(envFile, "utf8")));
  const [cmd, ...args] = unit.ExecStart[0].split(" ");
  const server = spawnLogged(cmd, args, { cwd: unit.WorkingDirectory[0], env });
  try {
    const health = await waitFor(`http://127.0.0.1:${port}/api/health`, server.proc, server.output);
    expect(health.status).toBe(200);
    const body = await health.json();
    expect(body.checks.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(["process", "database", "backend", "disk"]));
    expect(body.checks.every((c: { message?: string; path?: string }) => c.message === undefined && c.path === undefined)).toBe(true);

    // An expected user error (a bad password) is one request line, never a stack trace.
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: `http://127.0.0.1:${port}` },
      body: JSON.stringify({ username: "admin", password: "wrong-password" }),
    });
    expect(login.status).toBe(401);
    await expect.poll(() => server.output()).toMatch(/^http POST \/api\/auth\/login 401 \d+ms 127\.0\.0\.1$/m);
    // Unbounded request bodies: 64 MiB sent to the public login route without a length is refused with 413
    // once it passes the limit, the connection closing under the client; still one request line, no stack trace.
    await new Promise<void>((resolve) => {
      const r = http.request(`http://127.0.0.1:${port}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
      });
      r.on("response", (res) => {
        res.resume();
        resolve();
      });
      r.on("error", () => resolve());
      const chunk = Buffer.alloc(1 << 20, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && r.write(chunk)) sent++;
        if (sent < 64) r.once("drain", pump);
        else r.end();
      };
      pump();
    });
    await expect.poll(() => server.output()).toMatch(/^http POST \/api\/auth\/login 413( aborted)? \d+ms 127\.0\.0\.1$/m);
    // A refused bundle (an expected user error in a job): the job's start and end, one line each, no stack.
    const good = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: `http://127.0.0.1:${port}` },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    });
    expect(good.status).toBe(200);
    const cookie = good.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const upload = await fetch(`http://127.0.0.1:${port}/api/images/upload?profile=refused`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", origin: `http://127.0.0.1:${port}`, cookie },
      body: Buffer.alloc(64 * 1024, 0x41),
    });
    expect(upload.status, await upload.clone().text()).toBe(202);
    const { jobId } = await upload.json();
    await expect.poll(() => server.output()).toMatch(new RegExp(`^job ${jobId} image\\.import failed: .+$`, "m"));
    expect(server.output()).toMatch(new RegExp(`^job ${jobId} image\\.import started by admin$`, "m"));
    expect(
      server
        .output()
        .split("\n")
        .filter((l) => l.includes(jobId)),
    ).toHaveLength(2);
    expect(server.output()).toContain(`data directory: ${dataDir} (from ROOTIMG_DATA_DIR)`);
    expect(server.output()).toMatch(/^http GET \/api\/health 200 \d+ms/m);
    expect(server.output()).not.toMatch(/^\s+at /m);
  } finally {
    server.proc.kill((unit.KillSignal?.[0] ?? "SIGTERM") as NodeJS.Signals);
  }
  // Graceful: exit code 0 well within TimeoutStopSec (systemd would record a clean stop, not a kill).
  expect(await server.exited).toBe(0);
  expect(Number(unit.TimeoutStopSec[0])).toBeGreaterThanOrEqual(10);

  // Where systemd runs this machine, the same unit as a runtime unit (gone at reboot): start, serve, stop.
  // Where it does not (a container whose PID 1 is something else), that part is not run, and the run says so.
  const pid1 = fs.readFileSync("/proc/1/comm", "utf8").trim();
  if (!fs.existsSync("/run/systemd/system")) {
    const why = `NOT RUN: systemctl start/stop of the unit, because PID 1 of this machine is "${pid1}", not systemd (no /run/systemd/system). Checked instead: systemd-analyze verify of the unit, and its ExecStart run with its Environment= and EnvironmentFile= and stopped with its KillSignal.`;
    test.info().annotations.push({ type: "not run", description: why });
    console.log(why);
  } else {
    const name = `rootimg-studio-e2e-${port}.service`;
    const runtimeUnit = path.join("/run/systemd/system", name);
    fs.writeFileSync(
      runtimeUnit,
      fs.readFileSync(unitFile, "utf8").replace("EnvironmentFile=/etc/rootimg-studio/env", `EnvironmentFile=${envFile}`),
    );
    try {
      execFileSync("systemctl", ["daemon-reload"]);
      execFileSync("systemctl", ["start", name]);
      const deadline = Date.now() + 120_000;
      let status = 0;
      while (Date.now() < deadline && status !== 200) {
        status = await fetch(`http://127.0.0.1:${port}/api/health`).then(
          (r) => r.status,
          () => 0,
        );
        if (status !== 200) await new Promise((r) => setTimeout(r, 500));
      }
      expect(status).toBe(200);
      execFileSync("systemctl", ["stop", name]);
      const show = execFileSync("systemctl", ["show", name, "-p", "ActiveState", "-p", "Result", "-p", "ExecMainStatus"], {
        encoding: "utf8",
      });
      expect(show).toContain("ActiveState=inactive");
      expect(show).toContain("Result=success");
      expect(show).toContain("ExecMainStatus=0");
    } finally {
      spawnSync("systemctl", ["stop", name]);
      fs.rmSync(runtimeUnit, { force: true });
      spawnSync("systemctl", ["daemon-reload"]);
    }
  }
});

test("remote access: a non-loopback address without TLS is refused with the ways out; plain HTTP only when told to, with a warning on the page", async () => {
  test.setTimeout(180_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-insecure-"));
  const base = {
    ...process.env,
    NODE_ENV: "production",
    ROOTIMG_DATA_DIR: path.join(tmp, "data"),
    ADMIN_PASSWORD: PASSWORD,
    ROOTIMG_DEMO_IMAGE: "0",
    PORT: String(OWN_PORT.serviceInsecure),
    DATABASE_URL: "",
  } as NodeJS.ProcessEnv;
  const refused = spawnSync(process.execPath, ["--import", "tsx", "server.ts"], {
    env: { ...base, HOST: "0.0.0.0" },
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(refused.status).toBe(1);
  expect(refused.stderr).toMatch(
    /HOST: listening on a non-loopback address needs TLS: set ROOTIMG_TLS=1 .*SSH tunnel.*ROOTIMG_INSECURE_HTTP=1/,
  );
  expect(refused.stderr).not.toMatch(/^\s+at /m);

  // Told to: it serves on every address, but only inside a network namespace of its own (nothing leaves
  // loopback), and every page carries the warning.
  const script = `ip link set lo up
node --import tsx server.ts & pid=$!
for i in $(seq 1 480); do curl -fsS -o /tmp/login.$$ http://127.0.0.1:$PORT/login 2>/dev/null && break; sleep 0.25; done
cat /tmp/login.$$; rm -f /tmp/login.$$
curl -fsS http://127.0.0.1:$PORT/api/health | head -c 2000; echo
kill -TERM $pid; wait $pid; echo "exit=$?"`;
  const r = spawnSync("unshare", ["-n", "sh", "-c", script], {
    env: { ...base, HOST: "0.0.0.0", ROOTIMG_INSECURE_HTTP: "1" },
    encoding: "utf8",
    timeout: 150_000,
  });
  expect(r.stdout, r.stderr).toContain('data-testid="insecure-banner"');
  expect(r.stdout).toMatch(/Warning: this dashboard is served over plain HTTP on (<!-- -->)?0\.0\.0\.0/);
  expect(r.stdout).toMatch(/"name":"transport","status":"warning"/);
  expect(r.stdout).toContain("exit=0");
  expect(r.stderr).toMatch(/warning: serving plain HTTP on 0\.0\.0\.0 \(ROOTIMG_INSECURE_HTTP=1\)/);
});

test("TLS: a self-signed certificate is created on the first start, its fingerprint printed, HSTS sent, and the browser signs in", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-tls-"));
  const port = OWN_PORT.serviceTls;
  const env = {
    ...process.env,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    ROOTIMG_TLS: "1",
    ROOTIMG_DATA_DIR: path.join(tmp, "data"),
    ADMIN_PASSWORD: PASSWORD,
    ROOTIMG_DEMO_IMAGE: "0",
    DATABASE_URL: "",
    NODE_TLS_REJECT_UNAUTHORIZED: "0",
  } as Record<string, string>;
  const server = spawnLogged(process.execPath, ["--import", "tsx", "server.ts"], { cwd: process.cwd(), env });
  try {
    // Node's fetch would refuse the self-signed certificate: wait on the TLS handshake itself.
    let peer: tls.PeerCertificate | undefined;
    for (let i = 0; i < 480 && !peer; i++) {
      if (server.proc.exitCode !== null) throw new Error(server.output());
      peer = await new Promise<tls.PeerCertificate | undefined>((resolve) => {
        const s = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
          const c = s.getPeerCertificate();
          s.end();
          resolve(c);
        });
        s.on("error", () => setTimeout(() => resolve(undefined), 250));
      });
    }
    await expect.poll(() => server.output()).toMatch(/Rootimg Studio ready on https:\/\/127\.0\.0\.1:/);
    const printed = /created a self-signed certificate (\S+) .*SHA-256 fingerprint ([0-9A-F:]{95})/.exec(server.output());
    expect(printed, server.output()).not.toBeNull();
    expect(printed?.[1]).toBe(path.join(tmp, "data/tls/cert.pem"));
    expect(printed?.[2]).toBe(peer?.fingerprint256);
    expect(fs.statSync(path.join(tmp, "data/tls/key.pem")).mode & 0o777).toBe(0o600);

    const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL: `https://127.0.0.1:${port}` });
    const page = await context.newPage();
    const res = await page.goto("/login");
    expect(res?.headers()["strict-transport-security"]).toBe("max-age=31536000");
    await expect(page.getByTestId("insecure-banner")).toHaveCount(0);
    await page.getByTestId("login-username").fill("admin");
    await page.getByTestId("login-password").fill(PASSWORD);
    await page.getByTestId("login-submit").click();
    await expect(page.getByTestId("current-user")).toHaveText("admin");
    const cookies = await context.cookies();
    expect(cookies.find((c) => /session/i.test(c.name))?.secure).toBe(true);
    await context.close();
  } finally {
    server.proc.kill("SIGTERM");
    await server.exited;
  }
  // The second start reuses the certificate (the fingerprint the admin compared stays valid).
  const again = spawnLogged(process.execPath, ["--import", "tsx", "server.ts"], { cwd: process.cwd(), env });
  try {
    await expect.poll(() => again.output(), { timeout: 120_000 }).toMatch(/TLS: self-signed certificate .* SHA-256 fingerprint/);
  } finally {
    again.proc.kill("SIGTERM");
    await again.exited;
  }
});
