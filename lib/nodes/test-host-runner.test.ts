import "@/lib/db/test-database";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { findKernel } from "@/lib/xcat/demo-image";
import { type BootSpec, isRunning, powerOn, qemuBinary, readConsole, waitForBoot } from "./test-host-runner";

// Real QEMU (TCG) with a tiny busybox initramfs: what the status follows is the console, so the tests boot one.
const work = fs.mkdtempSync(path.join(os.tmpdir(), "testhost-"));
const UUID = "6a1e0c3e-52b1-4c59-9a57-0d0f3c1f2b7a";

function initramfs(name: string, init: string): string {
  const root = path.join(work, name);
  fs.mkdirSync(path.join(root, "bin"), { recursive: true });
  fs.mkdirSync(path.join(root, "dev"));
  fs.copyFileSync("/bin/busybox", path.join(root, "bin/busybox"));
  fs.chmodSync(path.join(root, "bin/busybox"), 0o755);
  fs.symlinkSync("busybox", path.join(root, "bin/sh"));
  fs.writeFileSync(path.join(root, "init"), init, { mode: 0o755 });
  // without a console device in the initramfs, /init's output goes nowhere
  execFileSync("mknod", ["-m", "600", path.join(root, "dev/console"), "c", "5", "1"]);
  const out = path.join(work, `${name}.cpio.gz`);
  execFileSync("sh", ["-c", `cd "${root}" && find . | cpio -H newc -o --quiet -R 0:0 | gzip -1 > "${out}"`]);
  return out;
}

const spec = (name: string, initrd: string, bootTimeoutSec: number): BootSpec => ({
  name,
  memoryMb: 192,
  kernel: findKernel()!,
  initrd,
  kcmdline: "quiet",
  nic: null,
  bootTimeoutSec,
  label: "test",
});

beforeAll(async () => {
  for (const name of ["th-ok", "th-silent", "th-split"]) await prisma.testHost.create({ data: { name, image: "none" } });
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe("test host runner", () => {
  it("names the Debian package when QEMU is missing", () => {
    process.env.ROOTIMG_QEMU = path.join(work, "no-qemu");
    try {
      expect(() => qemuBinary()).toThrow(/install Debian's qemu-system-x86 package/);
    } finally {
      delete process.env.ROOTIMG_QEMU;
    }
  });

  it("is booted when the stamp is on the console, and off when the machine powers off; the console is kept", async () => {
    const init = `#!/bin/sh\necho "IMAGENAME='tiny'"\necho "IMAGEUUID='${UUID}'"\necho "TIMESTAMP='now'"\necho tiny-done\n/bin/busybox poweroff -f\n`;
    const booted = waitForBoot("th-ok");
    await powerOn(spec("th-ok", initramfs("ok", init), 150));
    expect((await prisma.testHost.findUniqueOrThrow({ where: { name: "th-ok" } })).status).toBe("booting");
    const r = await booted;
    expect(r).toEqual({ ok: true, xcatinfo: { IMAGENAME: "tiny", IMAGEUUID: UUID, TIMESTAMP: "now" } });
    await expect.poll(() => isRunning("th-ok"), { timeout: 60_000 }).toBe(false);
    await expect
      .poll(async () => (await prisma.testHost.findUniqueOrThrow({ where: { name: "th-ok" } })).status, { timeout: 10_000 })
      .toBe("off");
    const row = await prisma.testHost.findUniqueOrThrow({ where: { name: "th-ok" } });
    expect(row.bootedUuid).toBe(UUID);
    expect(row.pid).toBeNull();
    await expect.poll(() => readConsole("th-ok"), { timeout: 10_000 }).toContain("QEMU exited");
    expect(readConsole("th-ok")).toContain("tiny-done");
  }, 180_000);

  it("fails at the time limit when the stamp never comes, stops QEMU and keeps the console", async () => {
    const init = "#!/bin/sh\necho silent-node-up\nwhile :; do /bin/busybox sleep 60; done\n";
    const booted = waitForBoot("th-silent");
    await powerOn(spec("th-silent", initramfs("silent", init), 4));
    const r = await booted;
    expect(r.ok).toBe(false);
    expect(r.ok ? "" : r.message).toMatch(/no stamp .* within 4 s; the console is kept/);
    await expect.poll(() => isRunning("th-silent"), { timeout: 30_000 }).toBe(false);
    const row = await prisma.testHost.findUniqueOrThrow({ where: { name: "th-silent" } });
    expect(row.status).toBe("failed");
    expect(row.message).toMatch(/no stamp/);
    expect(readConsole("th-silent")).toContain("power on th-silent");
  }, 60_000);

  it("waits for the stamp's last line when its lines arrive in separate reads", async () => {
    // A stand-in for QEMU (ROOTIMG_QEMU) that prints the stamp in two pieces, the way a loaded machine's
    // console does: the TIMESTAMP line comes half a second after IMAGEUUID.
    const fake = path.join(work, "fake-qemu.sh");
    fs.writeFileSync(
      fake,
      `#!/bin/sh\nprintf "IMAGENAME='split'\\nIMAGEUUID='${UUID}'\\n"\nsleep 0.5\nprintf "TIMESTAMP='later'\\n"\nsleep 1\n`,
      { mode: 0o755 },
    );
    process.env.ROOTIMG_QEMU = fake;
    try {
      const booted = waitForBoot("th-split");
      await powerOn(spec("th-split", initramfs("split", "#!/bin/sh\n"), 30));
      expect(await booted).toEqual({ ok: true, xcatinfo: { IMAGENAME: "split", IMAGEUUID: UUID, TIMESTAMP: "later" } });
      await expect.poll(() => isRunning("th-split"), { timeout: 30_000 }).toBe(false);
    } finally {
      delete process.env.ROOTIMG_QEMU;
    }
  }, 60_000);
});
