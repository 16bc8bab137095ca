/**
 * The demo image's `initrd-stateless.gz`, in the role xCAT's genimage gives that file: the initramfs a node boots
 * first, whose job (xCAT's dracut `xcatroot` module) is to unpack `rootimg.cpio.gz` into a tmpfs with
 * `gzip -cd | cpio -idum` and switch to it. xCAT's initrd downloads the archive from `imgurl=`; this one is for
 * machines without a network boot server, so the archive travels with it: a QEMU test host appends a second
 * initramfs holding `/rootimg.cpio.gz` (`withRootimg`), the kernel unpacks both, and /init finds the archive
 * where xcatroot's download would have put it. Busybox (busybox-static) does the work.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { packTree } from "@/lib/archive/pack-tree";
import { AppError } from "@/lib/errors";

export const INITRD_INIT = `#!/bin/busybox sh
# Rootimg Studio demo initrd (xCAT's initrd-stateless.gz role): unpack /rootimg.cpio.gz into a tmpfs, switch to it.
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t devtmpfs devtmpfs /dev 2>/dev/null
if [ ! -r /rootimg.cpio.gz ]; then
  echo "xcatroot: no /rootimg.cpio.gz in the initramfs; boot with the archive appended (see docs/xcat-bundles.md)"
  exec $B sh
fi
$B mkdir -p /sysroot
$B mount -t tmpfs -o mode=755 rootfs /sysroot
cd /sysroot
$B gzip -cd /rootimg.cpio.gz | $B cpio -idum 2>/dev/null || { echo "xcatroot: unpacking rootimg.cpio.gz failed"; exec $B sh; }
$B rm -f /rootimg.cpio.gz
echo "xcatroot: rootimg.cpio.gz unpacked into a tmpfs"
cd /
$B umount /dev 2>/dev/null
$B umount /proc
for init in /init /sbin/init; do
  if [ -x "/sysroot$init" ] || [ -L "/sysroot$init" ]; then exec $B switch_root /sysroot "$init"; fi
done
echo "xcatroot: no /init or /sbin/init in the image"
exec $B sh
`;

/** Writes `dest` (initrd-stateless.gz): busybox, /init, the mount points and a console. */
export async function buildDemoInitrd(dest: string, busybox = "/bin/busybox"): Promise<void> {
  if (!fs.existsSync(busybox)) throw new AppError("unavailable", `${busybox} not found: install Debian's busybox-static`);
  const work = fs.mkdtempSync(path.join(path.dirname(dest), ".initrd-build-"));
  const tree = path.join(work, "initrd");
  try {
    for (const d of ["bin", "dev", "proc", "sysroot"]) fs.mkdirSync(path.join(tree, d), { recursive: true, mode: 0o755 });
    fs.copyFileSync(busybox, path.join(tree, "bin/busybox"));
    fs.chmodSync(path.join(tree, "bin/busybox"), 0o755);
    fs.symlinkSync("busybox", path.join(tree, "bin/sh"));
    fs.writeFileSync(path.join(tree, "init"), INITRD_INIT, { mode: 0o755 });
    execFileSync("mknod", ["-m", "0600", path.join(tree, "dev/console"), "c", "5", "1"]);
    await packTree({ tree, archive: path.join(work, "initrd-stateless.gz"), full: true });
    fs.chmodSync(path.join(work, "initrd-stateless.gz"), 0o644);
    fs.renameSync(path.join(work, "initrd-stateless.gz"), dest);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * `initrd` followed by a newc archive holding `archive` as `/rootimg.cpio.gz`, written to `dest`: what a QEMU
 * test host passes as `-initrd` to boot the image the way an xCAT node does (initrd first, then the root archive).
 */
export function withRootimg(initrd: string, archive: string, dest: string): void {
  const stage = fs.mkdtempSync(path.join(path.dirname(dest), ".initrd-join-"));
  const tmp = `${dest}.tmp-${process.pid}`;
  try {
    try {
      fs.linkSync(archive, path.join(stage, "rootimg.cpio.gz"));
    } catch {
      fs.copyFileSync(archive, path.join(stage, "rootimg.cpio.gz"));
    }
    fs.copyFileSync(initrd, tmp);
    const fd = fs.openSync(tmp, "a");
    try {
      // The kernel takes an uncompressed archive only at a 4-byte aligned offset (and skips zeros before it);
      // otherwise it reads "070701" as compressed data and stops with "invalid magic".
      const pad = (4 - (fs.fstatSync(fd).size % 4)) % 4;
      if (pad) fs.writeSync(fd, Buffer.alloc(pad));
      const r = spawnSync("cpio", ["-H", "newc", "-o", "--quiet"], { cwd: stage, input: "rootimg.cpio.gz\n", stdio: ["pipe", fd, "pipe"] });
      if (r.status !== 0) throw new AppError("unavailable", `cpio failed to wrap ${archive}: ${r.stderr?.toString().trim()}`);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, dest);
  } finally {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
