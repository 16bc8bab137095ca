import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyEffect } from "./apply-effect";
import { checkImageShell } from "./check-image";
import type { EffectEntry } from "./effect";
import { diffSnapshots, snapshotTree } from "./manifest-effect";
import { OutputTail } from "./output-tail";
import { readOverlayEffect, readOverlayXattrs } from "./overlay-effect";
import { prepareRunDir, type RunInChrootOptions, runInChroot } from "./run-in-chroot";
import { findSandboxProcesses, killStaleSandboxes } from "./stale-runs";
import { makeBusyboxTree } from "./test-tree";

let img: ReturnType<typeof makeBusyboxTree>;
afterEach(() => img?.cleanup());

type Piece = { stream: string; text: string };
function runIn(line: string, o: Partial<RunInChrootOptions> & { name?: string } = {}) {
  img ??= makeBusyboxTree();
  const runDir = img.runDir(o.name ?? `r${Math.random().toString(36).slice(2)}`);
  prepareRunDir(runDir);
  const out: Piece[] = [];
  const result = runInChroot({
    tree: img.tree,
    runDir,
    runId: path.basename(runDir),
    mode: "overlay",
    argv: ["/bin/sh", "-c", line],
    onOutput: (stream, text) => out.push({ stream, text }),
    ...o,
  });
  const text = (s?: string) =>
    out
      .filter((p) => !s || p.stream === s)
      .map((p) => p.text)
      .join("");
  return { runDir, out, text, result };
}

/** Processes whose root directory lies in the run dir: what a leak would look like. */
function processesRootedIn(dir: string): number[] {
  const pids: number[] = [];
  for (const p of fs.readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      if (fs.readlinkSync(`/proc/${p}/root`).startsWith(dir)) pids.push(Number(p));
    } catch {
      // gone or not ours to read
    }
  }
  return pids;
}
const mountsUnder = (dir: string) =>
  fs
    .readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((l) => l.includes(dir));

async function waitFor(pred: () => boolean) {
  for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 25));
}

describe("runInChroot", () => {
  it("streams stdout and stderr in order, with the exit status", async () => {
    img = makeBusyboxTree();
    const r = runIn("echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three; exit 3");
    const res = await r.result;
    expect(res).toMatchObject({ outcome: "exited", exitCode: 3 });
    expect(r.out.map((p) => [p.stream, p.text])).toEqual([
      ["stdout", "one\n"],
      ["stderr", "two\n"],
      ["stdout", "three\n"],
    ]);
  });

  it("runs in private namespaces: own hostname, PID 1, no network route out by default", async () => {
    img = makeBusyboxTree();
    const r = runIn("hostname isolated; hostname; ls /proc | grep -c '^[0-9]'; cat /proc/net/dev | tail -n +3 | cut -d: -f1", {
      proc: true,
    });
    expect((await r.result).exitCode).toBe(0);
    const lines = r
      .text("stdout")
      .trim()
      .split("\n")
      .map((l) => l.trim());
    expect(lines[0]).toBe("isolated");
    // a fresh PID namespace: the sandbox's init, the shell and the few programs of this line
    expect(Number(lines[1])).toBeLessThan(8);
    expect(lines.slice(2)).toEqual(["lo"]);
    expect(fs.readFileSync("/proc/sys/kernel/hostname", "utf8").trim()).not.toBe("isolated");
  });

  it("binds /proc, /sys, /dev and the host's resolv.conf when asked, and leaves no mount behind", async () => {
    img = makeBusyboxTree();
    const hostResolv = fs.readFileSync("/etc/resolv.conf", "utf8");
    const r = runIn(
      "ls /proc/self/status /sys/kernel /dev/null >/dev/null && cat /etc/resolv.conf && echo 'nameserver 192.0.2.1' > /etc/resolv.conf",
      {
        proc: true,
        sys: true,
        dev: true,
        network: true,
      },
    );
    expect((await r.result).exitCode).toBe(0);
    expect(r.text("stdout")).toBe(hostResolv);
    expect(mountsUnder(r.runDir)).toEqual([]);
    // the bind was of a copy: the command's write reached neither the host's file nor the image's
    expect(fs.readFileSync("/etc/resolv.conf", "utf8")).toBe(hostResolv);
    expect(fs.readFileSync(path.join(img.tree, "etc/resolv.conf"), "utf8")).toBe("# image's own\n");
    // the binds were mounts, not writes: the upper layer holds nothing
    expect(fs.readdirSync(path.join(r.runDir, "upper"))).toEqual([]);
  });

  it("cancel kills the whole process tree, grandchildren included, and every mount with it", async () => {
    img = makeBusyboxTree();
    const ac = new AbortController();
    const r = runIn("sh -c 'sleep 300 & sleep 300 & wait' & echo started; wait", { signal: ac.signal, proc: true, dev: true, sys: true });
    await waitFor(() => r.text().includes("started"));
    // "started" comes from the outer shell; the inner one forks its sleeps on its own time
    await waitFor(() => processesRootedIn(r.runDir).length >= 3);
    expect(processesRootedIn(r.runDir).length).toBeGreaterThanOrEqual(3);
    ac.abort();
    const res = await r.result;
    expect(res).toMatchObject({ outcome: "cancelled", exitCode: null });
    expect(processesRootedIn(r.runDir)).toEqual([]);
    expect(findSandboxProcesses([r.runDir])).toEqual([]);
    expect(mountsUnder(r.runDir)).toEqual([]);
  });

  it("stops a command at its time limit", async () => {
    img = makeBusyboxTree();
    const r = runIn("echo waiting; sleep 300", { timeoutMs: 700 });
    const res = await r.result;
    expect(res.outcome).toBe("timeout");
    expect(r.text()).toBe("waiting\n");
    expect(processesRootedIn(r.runDir)).toEqual([]);
  });

  it("contains a fork bomb with the pids cgroup", async () => {
    img = makeBusyboxTree();
    const r = runIn("bomb() { bomb | bomb & }; bomb; sleep 1; echo still here", { maxPids: 64, timeoutMs: 4000, dev: true });
    const res = await r.result;
    expect(res.pidsLimited).toBe(true);
    expect(r.text("stderr")).toMatch(/fork|Resource temporarily unavailable/i);
    expect(processesRootedIn(r.runDir)).toEqual([]);
  });

  it("kills a run left by a dead server (start-up cleanup) by its run dir", async () => {
    img = makeBusyboxTree();
    const r = runIn("echo up; sleep 300");
    await waitFor(() => r.text().includes("up"));
    const killed = await killStaleSandboxes([r.runDir]);
    expect(killed.length).toBeGreaterThanOrEqual(1);
    expect((await r.result).exitCode).not.toBe(0);
    expect(processesRootedIn(r.runDir)).toEqual([]);
    expect(mountsUnder(r.runDir)).toEqual([]);
  });
});

describe("the command line", () => {
  it("is one argument of the image's /bin/sh, never read by a host shell", async () => {
    img = makeBusyboxTree();
    // a path that exists on the host and in the image: /tmp
    const marker = `/tmp/${path.basename(img.base)}-marker`;
    // quotes, substitutions and separators a host shell would act on; inside, the image's shell does
    const line = `touch '${marker}'; echo "$(echo in-image)" $((6*7)) \`id -u\` '$HOME'`;
    const { sandboxCommand } = await import("./sandbox");
    const cmd = sandboxCommand({ tree: img.tree, runDir: img.runDir("argv"), mode: "overlay", argv: ["/bin/sh", "-c", line] });
    expect(cmd.file).toBe("unshare");
    expect(cmd.args.slice(-3)).toEqual(["/bin/sh", "-c", line]);
    const r = runIn(line);
    expect((await r.result).exitCode).toBe(0);
    expect(r.text("stdout")).toBe("in-image 42 0 $HOME\n");
    // the touch happened inside the chroot's overlay, not on the host
    expect(fs.existsSync(marker)).toBe(false);
    expect(fs.existsSync(path.join(r.runDir, "upper", marker))).toBe(true);
    expect(r.text("stderr")).toBe("");
  });
});

describe("sandboxCommand without the lifeline", () => {
  it("runs when fd 3 is not open (a pseudo-terminal gives only 0-2)", async () => {
    img = makeBusyboxTree();
    const runDir = img.runDir("nolifeline");
    prepareRunDir(runDir);
    const { spawnSync } = await import("node:child_process");
    const { sandboxCommand } = await import("./sandbox");
    const cmd = sandboxCommand({ tree: img.tree, runDir, mode: "overlay", argv: ["/bin/sh", "-c", "echo hi"] });
    const r = spawnSync(cmd.file, cmd.args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect([r.status, r.stdout]).toEqual([0, "hi\n"]);
  });
});

describe("OutputTail", () => {
  it("keeps a bounded tail and says how much was cut", async () => {
    img = makeBusyboxTree();
    const tail = new OutputTail(10_000);
    const r = runIn("i=0; while [ $i -lt 20000 ]; do echo line $i; i=$((i+1)); done; echo end >&2", {});
    const res = await r.result;
    expect(res.exitCode).toBe(0);
    for (const p of r.out) tail.add(p.stream as "stdout", p.text);
    const j = tail.toJSON();
    expect(tail.size).toBeLessThanOrEqual(10_000);
    expect(j.cutBytes + tail.size).toBe(Buffer.byteLength(r.text()));
    const all = j.chunks.map((c) => c.text).join("");
    expect(all).toMatch(/line 19999\n/);
    expect(j.chunks[j.chunks.length - 1]).toEqual({ stream: "stderr", text: "end\n" });
  });
});

const brief = (e: EffectEntry[]) => e.map((x) => `${x.kind} ${x.path}${x.fields ? ` ${x.fields.join(",")}` : ""}`);

describe("overlay effect, apply and discard", () => {
  const EVERY_KIND = [
    "echo new > /etc/new",
    "echo changed > /etc/motd",
    "chmod 600 /etc/secret",
    "chown 1:1 /etc/passwd",
    "rm /etc/group",
    "rm -rf /usr/share/doc",
    "ln -sf /usr/share/zoneinfo/Europe/Paris /etc/localtime",
    "rm -rf /opt/dir && echo now-a-file > /opt/dir",
    "rm /etc/hostname && mkdir /etc/hostname",
    "mkdir -p /var/lib/new && echo x > /var/lib/new/file",
    "touch /etc/resolv.conf",
  ].join(" && ");

  it("lists every change kind from the upper layer, the tree untouched", async () => {
    img = makeBusyboxTree();
    const r = runIn(EVERY_KIND);
    expect((await r.result).exitCode).toBe(0);
    expect(fs.readFileSync(path.join(img.tree, "etc/motd"), "utf8")).toBe("welcome\n");
    const effect = await readOverlayEffect({ lower: img.tree, upper: path.join(r.runDir, "upper") });
    expect(brief(effect)).toEqual([
      "removed /etc/group",
      "type /etc/hostname",
      "modified /etc/localtime target",
      "modified /etc/motd content",
      "added /etc/new",
      "metadata /etc/passwd owner",
      "metadata /etc/secret mode",
      "type /opt/dir",
      "removed /usr/share/doc",
      "added /var",
      "added /var/lib",
      "added /var/lib/new",
      "added /var/lib/new/file",
    ]);
    expect(effect.find((e) => e.path === "/etc/secret")).toMatchObject({ before: { mode: 0o644 }, after: { mode: 0o600 } });
    expect(effect.find((e) => e.path === "/opt/dir")).toMatchObject({ before: { type: "dir" }, after: { type: "file" } });
  });

  it("applies it atomically per file, keeps the originals beside the tree, strips overlay xattrs", async () => {
    img = makeBusyboxTree();
    const r = runIn(EVERY_KIND);
    await r.result;
    const upper = path.join(r.runDir, "upper");
    const xattrs = await readOverlayXattrs(upper);
    const effect = await readOverlayEffect({ lower: img.tree, upper, xattrs });
    const originals = path.join(r.runDir, "..", "..", "originals", "run1");
    const motdInode = fs.statSync(path.join(img.tree, "etc/motd")).ino;
    await applyEffect({ tree: img.tree, upper, effect, originals, xattrs });
    const t = (p: string) => path.join(img.tree, p);
    expect(fs.readFileSync(t("etc/motd"), "utf8")).toBe("changed\n");
    expect(fs.readFileSync(t("etc/new"), "utf8")).toBe("new\n");
    expect(fs.statSync(t("etc/secret")).mode & 0o7777).toBe(0o600);
    expect(fs.statSync(t("etc/passwd"))).toMatchObject({ uid: 1, gid: 1 });
    expect(fs.existsSync(t("etc/group"))).toBe(false);
    expect(fs.existsSync(t("usr/share/doc"))).toBe(false);
    expect(fs.existsSync(t("usr/share"))).toBe(true);
    expect(fs.readlinkSync(t("etc/localtime"))).toBe("/usr/share/zoneinfo/Europe/Paris");
    expect(fs.readFileSync(t("opt/dir"), "utf8")).toBe("now-a-file\n");
    expect(fs.statSync(t("etc/hostname")).isDirectory()).toBe(true);
    expect(fs.readFileSync(t("var/lib/new/file"), "utf8")).toBe("x\n");
    // the replaced file's old inode (still shared with its hard link) is the kept original
    expect(fs.readFileSync(path.join(originals, "etc/motd"), "utf8")).toBe("welcome\n");
    expect(fs.statSync(path.join(originals, "etc/motd")).ino).toBe(motdInode);
    expect(fs.readFileSync(path.join(originals, "etc/group"), "utf8")).toBe("root:x:0:\n");
    expect(fs.readFileSync(path.join(originals, "usr/share/doc/pkg/README"), "utf8")).toBe("readme\n");
    expect(fs.readFileSync(path.join(originals, "opt/dir/sub/f"), "utf8")).toBe("f\n");
    expect(effect.filter((e) => e.original).map((e) => e.path)).toEqual([
      "/etc/group",
      "/etc/hostname",
      "/etc/localtime",
      "/etc/motd",
      "/opt/dir",
      "/usr/share/doc",
    ]);
    const { execFileSync } = await import("node:child_process");
    expect(execFileSync("getfattr", ["-h", "-d", "-m", "^trusted\\.overlay\\.", t("etc/motd")], { encoding: "utf8" })).toBe("");
    // the originals store is beside the tree, never inside it
    expect(path.relative(img.tree, originals).startsWith("..")).toBe(true);
  });

  it("refuses to apply over a path edited in the tree since the run", async () => {
    img = makeBusyboxTree();
    const r = runIn("echo mine > /etc/motd");
    await r.result;
    const upper = path.join(r.runDir, "upper");
    const effect = await readOverlayEffect({ lower: img.tree, upper });
    fs.writeFileSync(path.join(img.tree, "etc/motd"), "someone else's save, longer\n");
    await expect(
      applyEffect({ tree: img.tree, upper, effect, originals: path.join(img.base, "orig"), xattrs: new Map() }),
    ).rejects.toMatchObject({ kind: "apply", message: /\/etc\/motd \(changed\)/ });
    expect(fs.readFileSync(path.join(img.tree, "etc/motd"), "utf8")).toBe("someone else's save, longer\n");
  });

  it("applies over a tree where another file was saved since the run", async () => {
    img = makeBusyboxTree();
    const r = runIn("echo mine > /etc/motd");
    await r.result;
    const upper = path.join(r.runDir, "upper");
    const effect = await readOverlayEffect({ lower: img.tree, upper });
    fs.writeFileSync(path.join(img.tree, "etc/hostname"), "saved meanwhile\n");
    await applyEffect({ tree: img.tree, upper, effect, originals: path.join(img.base, "orig"), xattrs: new Map() });
    expect(fs.readFileSync(path.join(img.tree, "etc/motd"), "utf8")).toBe("mine\n");
    expect(fs.readFileSync(path.join(img.tree, "etc/hostname"), "utf8")).toBe("saved meanwhile\n");
  });

  it("rm -rf / damages only the overlay; discarding it leaves the tree as it was", async () => {
    img = makeBusyboxTree();
    const before = await snapshotTree(img.tree);
    const r = runIn("rm -rf / 2>/dev/null; echo survived");
    await r.result;
    expect(r.text("stdout")).toBe("survived\n");
    const effect = await readOverlayEffect({ lower: img.tree, upper: path.join(r.runDir, "upper") });
    expect(effect.filter((e) => e.kind === "removed").map((e) => e.path)).toEqual(expect.arrayContaining(["/bin", "/etc", "/opt", "/usr"]));
    fs.rmSync(r.runDir, { recursive: true, force: true }); // discard
    expect(diffSnapshots(before, await snapshotTree(img.tree))).toEqual([]);
  });

  it("without overlayfs: runs in the tree and compares snapshots before and after", async () => {
    img = makeBusyboxTree();
    const before = await snapshotTree(img.tree);
    const r = runIn("chmod 600 /etc/secret; echo x > /etc/new; rm /etc/group; rm -rf /usr/share/doc; echo more >> /etc/hostname", {
      mode: "direct",
    });
    expect((await r.result).exitCode).toBe(0);
    expect(fs.existsSync(path.join(img.tree, "etc/new"))).toBe(true);
    expect(fs.readdirSync(path.join(r.runDir, "upper"))).toEqual([]);
    expect(brief(diffSnapshots(before, await snapshotTree(img.tree)))).toEqual([
      "removed /etc/group",
      "modified /etc/hostname content",
      "added /etc/new",
      "metadata /etc/secret mode",
      "removed /usr/share/doc",
    ]);
  });
});

describe("checkImageShell", () => {
  it("accepts a busybox /bin/sh of the host's architecture, following the image's own links", () => {
    img = makeBusyboxTree();
    expect(checkImageShell(img.tree)).toEqual({ shell: "/bin/busybox", arch: "x86_64" });
  });

  it("refuses an image without /bin/sh", () => {
    img = makeBusyboxTree();
    fs.rmSync(path.join(img.tree, "bin/sh"));
    expect(() => checkImageShell(img.tree)).toThrow(/has no \/bin\/sh/);
  });

  it("refuses a foreign architecture unless qemu-user-static's binfmt handler is registered", () => {
    img = makeBusyboxTree();
    const elf = Buffer.alloc(64);
    elf.writeUInt32BE(0x7f454c46, 0);
    elf[4] = 2; // 64-bit
    elf[5] = 1; // little endian
    elf.writeUInt16LE(0xb7, 18); // aarch64
    fs.rmSync(path.join(img.tree, "bin/sh"));
    fs.writeFileSync(path.join(img.tree, "bin/dash"), elf, { mode: 0o755 });
    fs.symlinkSync("/bin/dash", path.join(img.tree, "bin/sh"));
    const binfmt = path.join(img.base, "binfmt");
    fs.mkdirSync(binfmt);
    expect(() => checkImageShell(img.tree, { hostArch: "x64", binfmtDir: binfmt })).toThrow(
      /built for aarch64 .* this host is x86_64.*qemu-user-static/,
    );
    fs.writeFileSync(path.join(binfmt, "qemu-aarch64"), "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\n");
    expect(checkImageShell(img.tree, { hostArch: "x64", binfmtDir: binfmt })).toEqual({
      shell: "/bin/dash",
      arch: "aarch64",
      emulator: "qemu-aarch64 (binfmt)",
    });
  });
});
