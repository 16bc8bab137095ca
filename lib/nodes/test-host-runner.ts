/**
 * Test hosts run as QEMU machines: the image's `kernel` and a packed `rootimg.cpio.gz` as the initramfs, exactly
 * what a diskless node downloads. Software emulation (TCG) unless ROOTIMG_QEMU_ACCEL=kvm; no network device unless the
 * host names one; the serial console is QEMU's stdout, appended to `<data>/consoles/<host>.log` (the whole
 * history since power on, kept after the machine stops) and sent live to the Socket.IO room `console:<host>`.
 *
 * Status follows the console: `booting` from power on, `booted` once the pack's stamp (IMAGEUUID from
 * opt/xcat/xcatinfo) is printed, `failed` on a kernel panic, an early exit or no stamp within the host's time
 * limit (QEMU is then stopped, the console kept), `off` when QEMU exits after booting or is powered off.
 *
 * QEMU never outlives the server: it is started through `setpriv --pdeathsig KILL` (the kernel kills it if the
 * server dies), stopped at shutdown, and a pid recorded in the database is killed at the next start.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { room } from "@/lib/realtime/events";
import { emitTo } from "@/lib/realtime/io-registry";
import { parseXcatinfo } from "./parse-node-commands";

export type TestHostStatus = "off" | "booting" | "booted" | "failed";
export type BootSpec = {
  name: string;
  memoryMb: number;
  kernel: string;
  initrd: string;
  kcmdline: string;
  nic: string | null;
  bootTimeoutSec: number;
  label: string;
};
export type BootResult = { ok: true; xcatinfo: Record<string, string> } | { ok: false; message: string };

type Running = {
  child: ChildProcess;
  file: fs.WriteStream;
  tail: string;
  history: string;
  status: TestHostStatus;
  stopping: boolean;
  exited: boolean;
  timer?: NodeJS.Timeout;
  stampWait?: NodeJS.Timeout;
  startedAt: number;
};
/** How long after the IMAGEUUID line the rest of the stamp may take to arrive (see onData). */
const STAMP_WAIT_MS = 2000;

// On globalThis: route handlers (bundled by Next) and server.ts see the same machines.
const g = globalThis as unknown as { rootimgTestHosts?: { running: Map<string, Running>; events: EventEmitter } };
g.rootimgTestHosts ??= { running: new Map(), events: new EventEmitter().setMaxListeners(0) };
const running = g.rootimgTestHosts.running;
const events = g.rootimgTestHosts.events;

export const QEMU = "qemu-system-x86_64";
/** The marker in QEMU's command line that start-up cleaning looks for before killing a recorded pid. */
const nameArg = (host: string) => `rootimg-testhost-${host}`;

export function consoleDir(): string {
  return path.join(env().dataDir, "consoles");
}

export function consolePath(host: string): string {
  return path.join(consoleDir(), `${host}.log`);
}

const HISTORY_MAX = 2 * 1024 * 1024;

/**
 * The console history (the last `max` bytes) of the current or last power-on. A running machine's comes from
 * memory: the file is written asynchronously and could lag behind what was already sent live.
 */
export function readConsole(host: string, max = HISTORY_MAX): string {
  const r = running.get(host);
  if (r) return r.history.slice(-max);
  try {
    const fd = fs.openSync(consolePath(host), "r");
    try {
      const size = fs.fstatSync(fd).size;
      const len = Math.min(size, max);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      return buf.toString("utf8");
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw e;
  }
}

function findOnPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin").split(":")) {
    const p = path.join(dir || ".", cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {}
  }
  return undefined;
}

/** The QEMU binary, or a clear error naming the Debian package. */
export function qemuBinary(): string {
  const p = process.env.ROOTIMG_QEMU || findOnPath(QEMU);
  if (!p || !fs.existsSync(p))
    throw new AppError(
      "unavailable",
      `${QEMU} not found: install Debian's qemu-system-x86 package (apt-get install qemu-system-x86) to boot test hosts`,
    );
  return p;
}

export function qemuArgs(spec: BootSpec): string[] {
  // TCG unless the admin says KVM works: a /dev/kvm that exists but cannot run guests (nested virtualisation
  // switched off) makes QEMU hang silently instead of falling back.
  const accel = process.env.ROOTIMG_QEMU_ACCEL === "kvm" ? ["-accel", "kvm", "-accel", "tcg"] : ["-accel", "tcg"];
  // no_timer_check: under software emulation on a busy machine the guest's IO-APIC timer check can miss its
  // ticks and the kernel panics ("IO-APIC + timer doesn't work!"); the check proves nothing about a VM.
  return [
    "-name",
    nameArg(spec.name),
    ...accel,
    "-m",
    String(spec.memoryMb),
    "-nodefaults",
    "-display",
    "none",
    "-no-reboot",
    "-serial",
    "stdio",
    "-monitor",
    "none",
    ...(spec.nic ? ["-nic", spec.nic] : ["-nic", "none"]),
    "-kernel",
    spec.kernel,
    "-initrd",
    spec.initrd,
    "-append",
    `console=ttyS0 panic=-1 no_timer_check ${spec.kcmdline}`.trim(),
  ];
}

export function isRunning(host: string): boolean {
  const r = running.get(host);
  return !!r && !r.exited;
}

export function liveStatus(host: string): TestHostStatus | undefined {
  return running.get(host)?.status;
}

async function setStatus(
  host: string,
  status: TestHostStatus,
  extra: { message?: string | null; bootedUuid?: string | null; pid?: number | null } = {},
): Promise<void> {
  const r = running.get(host);
  if (r) r.status = status;
  const at = new Date();
  await prisma.testHost.update({ where: { name: host }, data: { status, statusAt: at, ...extra } }).catch(() => {});
  emitTo(room.nodes(), "testhost:status", { name: host, status, statusAt: at.toISOString(), ...extra });
}

/** Powers the host on with `spec`; a running machine is stopped first (a reset is a power cycle). */
export async function powerOn(spec: BootSpec): Promise<void> {
  const qemu = qemuBinary();
  for (const f of [spec.kernel, spec.initrd])
    if (!fs.existsSync(f))
      throw new AppError("unprocessable", `${f} does not exist: the image needs a kernel and a packed archive to boot`);
  if (isRunning(spec.name)) await powerOff(spec.name);
  fs.mkdirSync(consoleDir(), { recursive: true });
  const file = fs.createWriteStream(consolePath(spec.name), { flags: "w" });
  const header = `[rootimg-studio] ${new Date().toISOString()} power on ${spec.name}: ${spec.label}\r\n`;
  file.write(header);
  emitTo(room.console(spec.name), "console:reset", { name: spec.name, data: header });
  const setpriv = findOnPath("setpriv");
  const args = qemuArgs(spec);
  const child = setpriv
    ? spawn(setpriv, ["--pdeathsig", "KILL", "--", qemu, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    : spawn(qemu, args, { stdio: ["ignore", "pipe", "pipe"] });
  const r: Running = { child, file, tail: "", history: header, status: "booting", stopping: false, exited: false, startedAt: Date.now() };
  const append = (text: string) => {
    r.history = r.history.length + text.length > HISTORY_MAX ? (r.history + text).slice(-HISTORY_MAX) : r.history + text;
    emitTo(room.console(spec.name), "console:data", { name: spec.name, data: text });
  };
  running.set(spec.name, r);
  await setStatus(spec.name, "booting", { message: null, bootedUuid: null, pid: child.pid ?? null });
  let stderr = "";
  const booted = (info: ReturnType<typeof parseXcatinfo>) => {
    if (r.status !== "booting") return;
    clearTimeout(r.timer);
    clearTimeout(r.stampWait);
    void setStatus(spec.name, "booted", { bootedUuid: info.IMAGEUUID });
    events.emit(`boot:${spec.name}`, { ok: true, xcatinfo: info } satisfies BootResult);
  };
  const onData = (buf: Buffer) => {
    const text = buf.toString("utf8");
    file.write(buf);
    append(text);
    if (r.status !== "booting") return;
    // Scan a tail that spans chunk boundaries, cut at the last newline so a line is judged once complete.
    r.tail = (r.tail + text).slice(-8192);
    const complete = r.tail.slice(0, r.tail.lastIndexOf("\n") + 1);
    const info = parseXcatinfo(complete);
    if (info.IMAGEUUID) {
      // The stamp's lines can arrive in separate reads: judge it once the line after IMAGEUUID (TIMESTAMP, in
      // the order packimage writes them) is complete, or a moment after the UUID when nothing follows it.
      const after = complete.slice(complete.lastIndexOf("IMAGEUUID='")).split("\n").length > 2;
      if (info.TIMESTAMP || after) booted(info);
      else if (!r.stampWait) {
        r.stampWait = setTimeout(() => booted(parseXcatinfo(r.tail)), STAMP_WAIT_MS);
        r.stampWait.unref();
      }
    } else if (/Kernel panic - not syncing/.test(r.tail)) {
      fail(spec.name, r, `kernel panic: ${/Kernel panic - not syncing: ?([^\r\n]*)/.exec(r.tail)?.[1] ?? ""}`.trim());
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", (b: Buffer) => {
    stderr = (stderr + b.toString("utf8")).slice(-4000);
    file.write(b);
    append(b.toString("utf8"));
  });
  r.timer = setTimeout(() => {
    if (r.status === "booting")
      fail(spec.name, r, `no stamp (IMAGEUUID from opt/xcat/xcatinfo) on the console within ${spec.bootTimeoutSec} s; the console is kept`);
  }, spec.bootTimeoutSec * 1000);
  r.timer.unref();
  child.on("error", (e) => {
    stderr += e.message;
  });
  child.on("close", (code, sig) => {
    // a stamp whose last line was still awaited counts: the machine printed it before it stopped
    if (r.stampWait) booted(parseXcatinfo(r.tail));
    clearTimeout(r.timer);
    r.exited = true;
    const note = `[rootimg-studio] ${new Date().toISOString()} QEMU exited (${sig ?? `code ${code}`})\r\n`;
    file.end(note);
    append(note);
    // the file holds the history once written; until then readConsole keeps serving it from memory
    file.once("finish", () => running.get(spec.name) === r && running.delete(spec.name));
    if (r.status === "booting") {
      const why = r.stopping
        ? "powered off before the stamp was printed"
        : `QEMU exited (${sig ?? `code ${code}`}) before the stamp was printed${stderr.trim() ? `: ${stderr.trim().split("\n").at(-1)}` : ""}`;
      void setStatus(spec.name, "failed", { message: why, pid: null });
      events.emit(`boot:${spec.name}`, { ok: false, message: why } satisfies BootResult);
    } else if (r.status === "failed") void setStatus(spec.name, "failed", { pid: null });
    else void setStatus(spec.name, "off", { pid: null });
    events.emit(`exit:${spec.name}`);
  });
}

function fail(host: string, r: Running, message: string): void {
  if (r.status !== "booting") return;
  clearTimeout(r.timer);
  r.status = "failed";
  void setStatus(host, "failed", { message });
  events.emit(`boot:${host}`, { ok: false, message } satisfies BootResult);
  r.child.kill("SIGKILL");
}

/** Stops the machine (like pulling the plug: a diskless node has nothing to lose) and waits for QEMU to exit. */
export async function powerOff(host: string): Promise<void> {
  const r = running.get(host);
  if (!r || r.exited) {
    await setStatus(host, "off", { pid: null });
    return;
  }
  r.stopping = true;
  const exited = new Promise<void>((resolve) => events.once(`exit:${host}`, () => resolve()));
  r.child.kill("SIGKILL");
  await exited;
}

/** Resolves when the current boot of `host` prints its stamp or fails. */
export function waitForBoot(host: string, signal?: AbortSignal): Promise<BootResult> {
  return new Promise((resolve, reject) => {
    const done = (res: BootResult) => {
      signal?.removeEventListener("abort", onAbort);
      resolve(res);
    };
    const onAbort = () => {
      events.off(`boot:${host}`, done);
      reject(signal?.reason ?? new Error("aborted"));
    };
    events.once(`boot:${host}`, done);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** At shutdown: every QEMU stops with the server. */
export function stopAllTestHosts(): void {
  for (const r of running.values()) {
    if (r.exited) continue;
    r.stopping = true;
    r.child.kill("SIGKILL");
  }
}

/** At start-up: kill a QEMU a killed server left (checked by its command line), and mark every host off. */
export async function cleanTestHostsAtStart(log: (line: string) => void = console.log): Promise<void> {
  const rows = await prisma.testHost.findMany({ where: { OR: [{ pid: { not: null } }, { status: { in: ["booting", "booted"] } }] } });
  for (const h of rows) {
    if (h.pid) {
      let cmdline = "";
      try {
        cmdline = fs.readFileSync(`/proc/${h.pid}/cmdline`, "utf8");
      } catch {}
      if (cmdline.split("\0").includes(nameArg(h.name))) {
        try {
          process.kill(h.pid, "SIGKILL");
          log(`test hosts: stopped ${h.name}'s QEMU (pid ${h.pid}) left by the previous run`);
        } catch {}
      }
    }
    const message = h.status === "booting" ? "the server stopped while it was booting" : h.message;
    await prisma.testHost.update({
      where: { name: h.name },
      data: { pid: null, status: h.status === "booting" ? "failed" : "off", message, statusAt: new Date() },
    });
  }
}
