// Deploy benchmark. Not a test; never run by CI. See scripts/bench/README.md.
// The realistic image of scripts/bench/archive-image.sh (debootstrap bookworm with systemd and its Debian kernel)
// goes through what an admin does, over the HTTP API of a server of its own (local backend, its own data
// directory): import as an xCAT bundle, unpack, edit /etc/motd, pack, then deploy to a QEMU test host and wait
// for "verified" (the stamp the pack wrote, printed on the console by the unit the pack adds to systemd images).
// Prints each step's wall-clock time and the deploy's per-state timeline.
// Needs a production build (`npx next build --webpack`). Env: BENCH_DIR (.cache/bench), BENCH_PORT (3175),
// BENCH_MEMORY_MB (2048), BENCH_BOOT_TIMEOUT_S (1200), BENCH_KEEP=1 (keep the work directory).
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeBundle } from "@/lib/xcat/bundle/write-bundle";
import { buildDemoInitrd } from "@/lib/xcat/demo-initrd";

const REPO = path.resolve(import.meta.dirname, "../..");
const IMG = path.join(process.env.BENCH_DIR ?? path.join(REPO, ".cache/bench"), "image");
const PORT = Number(process.env.BENCH_PORT ?? 3175);
const MEMORY_MB = Number(process.env.BENCH_MEMORY_MB ?? 2048);
const BOOT_TIMEOUT_S = Number(process.env.BENCH_BOOT_TIMEOUT_S ?? 1200);
const PASSWORD = "bench-deploy-admin";
const base = `http://127.0.0.1:${PORT}`;

const tree = path.join(IMG, "rootimg");
const reference = path.join(IMG, "rootimg.cpio.gz");
if (!fs.existsSync(tree) || !fs.existsSync(reference)) {
  console.error(`error: no cached image in ${IMG}: run scripts/bench/archive-image.sh first`);
  process.exit(1);
}
const kernel = fs.readdirSync(path.join(tree, "boot")).find((f) => f.startsWith("vmlinuz-"));
if (!kernel) {
  console.error(`error: no boot/vmlinuz-* in ${tree} (the image is built with linux-image-amd64)`);
  process.exit(1);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-deploy-"));
let server: ChildProcess | undefined;
let cookie = "";
const rows: [string, string][] = [];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function api<T>(method: string, url: string, body?: unknown): Promise<{ status: number; json: T; text: string }> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { origin: base, cookie, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const set = res.headers.getSetCookie().map((c) => c.split(";")[0]);
  if (set.length) cookie = set.join("; ");
  const text = await res.text();
  let json: T = undefined as T;
  try {
    json = JSON.parse(text) as T;
  } catch {}
  return { status: res.status, json, text };
}

async function ok<T>(method: string, url: string, body?: unknown): Promise<T> {
  const r = await api<T>(method, url, body);
  if (r.status >= 300) throw new Error(`${method} ${url}: HTTP ${r.status}: ${r.text.slice(0, 500)}`);
  return r.json;
}

async function job(label: string, start: Promise<{ jobId: string }>): Promise<number> {
  const t0 = performance.now();
  const { jobId } = await start;
  for (;;) {
    const j = await ok<{ state: string; error?: string | null }>("GET", `/api/jobs/${jobId}`);
    if (j.state === "succeeded") break;
    if (j.state !== "running" && j.state !== "queued")
      throw new Error(`${label}: job ${jobId} ${j.state}: ${JSON.stringify(j).slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const ms = performance.now() - t0;
  rows.push([label, seconds(ms)]);
  console.error(`${label}: ${seconds(ms)}`);
  return ms;
}

try {
  // The bundle an admin would bring from the management node: kernel, initrd, the archive xCAT's pipeline made.
  const initrd = path.join(work, "initrd-stateless.gz");
  await buildDemoInitrd(initrd);
  const bundle = path.join(work, "bench-debian12.tgz");
  await writeBundle({
    destPath: bundle,
    imagename: "debian12-x86_64-netboot-compute",
    osimage: {
      imagename: "debian12-x86_64-netboot-compute",
      imagetype: "linux",
      provmethod: "netboot",
      profile: "compute",
      osname: "Linux",
      osvers: "debian12",
      osarch: "x86_64",
    },
    linuximage: {},
    kernel: path.join(tree, "boot", kernel),
    ramdisk: initrd,
    rootimg: reference,
  });
  console.error(`bundle ${bundle}: ${(fs.statSync(bundle).size / 2 ** 20).toFixed(0)} MiB`);

  server = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: REPO,
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(PORT),
      ROOTIMG_DATA_DIR: path.join(work, "data"),
      ADMIN_PASSWORD: PASSWORD,
      ROOTIMG_DEMO_IMAGE: "0",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: "",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; ; i++) {
    if (server.exitCode !== null) throw new Error(`server exited (${server.exitCode})`);
    if (i > 480) throw new Error("server did not answer within 2 minutes");
    if (
      await fetch(`${base}/login`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 250));
  }
  await ok("POST", "/api/auth/login", { username: "admin", password: PASSWORD });

  const profile = "bench";
  const image = `debian12-x86_64-netboot-${profile}`;
  await job("import (bundle, verify, register)", ok("POST", "/api/images/import", { path: bundle, profile }));
  await job("unpack", ok("POST", `/api/images/${image}/unpack`, { mode: "unpack" }));
  const motd = await ok<{ content: string; etag: string }>("GET", `/api/images/${image}/files/content?path=/etc/motd`);
  const marker = `bench deploy ${new Date().toISOString()}`;
  await ok("PUT", `/api/images/${image}/files/content`, {
    path: "/etc/motd",
    content: `${motd.content}${marker}\n`,
    encoding: "utf-8",
    etag: motd.etag,
  });
  await job("pack (first pack after the unpack)", ok("POST", `/api/images/${image}/pack`, {}));
  const live = (
    await ok<{ versions: { seq: number; live: boolean; stampUuid: string | null; size: number }[] }>("GET", `/api/images/${image}`)
  ).versions.find((v) => v.live)!;
  rows.push(["packed archive", `${(live.size / 2 ** 20).toFixed(0)} MiB, version ${live.seq}, IMAGEUUID ${live.stampUuid}`]);

  const host = "testhost-bench";
  await ok("POST", "/api/test-hosts", { name: host, image, memoryMb: MEMORY_MB, bootTimeoutSec: BOOT_TIMEOUT_S });
  const clicked = performance.now();
  const started = await ok<{ jobId: string }>("POST", "/api/deploys", { image, testHosts: [host], confirm: true });
  type Target = { state: string; seenUuid: string | null; message: string | null; history: { state: string; at: string }[] };
  let target: Target;
  for (;;) {
    target = (await ok<{ targets: Target[] }>("GET", `/api/deploys/${started.jobId}`)).targets[0];
    if (target && ["verified", "mismatch", "failed"].includes(target.state)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const total = performance.now() - clicked;
  const consoleText = (await api<string>("GET", `/api/test-hosts/${host}/console`)).text;
  fs.writeFileSync(path.join(work, "console.log"), consoleText);
  await api("POST", `/api/test-hosts/${host}/power`, { action: "off" });
  rows.push([`deploy → ${target.state}`, `${seconds(total)}${target.message ? ` (${target.message})` : ""}`]);
  const t0 = Date.parse(target.history[0].at);
  for (const h of target.history) rows.push([`  ${h.state}`, `+${seconds(Date.parse(h.at) - t0)}`]);
  const stampLine = consoleText.split("\n").find((l) => l.includes(`IMAGEUUID='${live.stampUuid}'`));
  rows.push(["stamp on the console", stampLine ? stampLine.trim() : "not found"]);
  const kernelTime = /\[\s*([\d.]+)\]\s+Run \/sbin\/init as init process/.exec(consoleText)?.[1];
  if (kernelTime) rows.push(["  kernel start → /sbin/init (guest clock)", `${Number(kernelTime).toFixed(1)} s`]);

  console.log(
    `\nDeploy of the realistic image (${kernel}, ${MEMORY_MB} MB test host, QEMU ${process.env.ROOTIMG_QEMU_ACCEL ?? "tcg"}), ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}\n`,
  );
  console.log("| step | result |\n|---|---|");
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  console.log(`\nconsole: ${path.join(work, "console.log")}${process.env.BENCH_KEEP === "1" ? "" : " (removed; BENCH_KEEP=1 keeps it)"}`);
  if (target.state !== "verified") process.exitCode = 1;
} finally {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once("exit", r));
    server.kill("SIGTERM");
    await exited;
  }
  if (process.env.BENCH_KEEP !== "1") fs.rmSync(work, { recursive: true, force: true });
}
