/**
 * The demo osimage for machines without xCAT: a busybox root tree that boots in QEMU, packed with the
 * product's own pack, registered in the local registry. Created once; later calls return the existing image.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { packTree } from "@/lib/archive/pack-tree";
import { AppError } from "@/lib/errors";
import { recordVersion } from "@/lib/images/versions";
import { DEMO_IMAGE_NAME, FILES, INIT } from "./demo-files";
import { buildDemoInitrd } from "./demo-initrd";
import type { LocalBackend } from "./local-backend";
import { utcZoneinfo } from "./utc-zoneinfo";

export { DEMO_IMAGE_NAME };

/** Newest Debian kernel (linux-image-amd64), or undefined. */
export function findKernel(bootDir = "/boot"): string | undefined {
  const ks = fs.existsSync(bootDir)
    ? fs
        .readdirSync(bootDir)
        .filter((f) => /^vmlinuz-/.test(f))
        .sort()
    : [];
  return ks.length ? path.join(bootDir, ks[ks.length - 1]) : undefined;
}

/** Writes the root tree at `root` (which must not exist). Needs /bin/busybox (busybox-static). */
export function buildDemoTree(root: string, busybox = "/bin/busybox"): void {
  if (!fs.existsSync(busybox)) throw new AppError("unavailable", `${busybox} not found: install Debian's busybox-static`);
  fs.mkdirSync(root, { mode: 0o755 });
  for (const d of [
    "bin",
    "sbin",
    "usr/bin",
    "usr/sbin",
    "usr/local/bin",
    "usr/local/sbin",
    "etc/ssh",
    "etc/systemd/system",
    "etc/munge",
    "proc",
    "sys",
    "dev",
    "run",
    "mnt",
    "opt/xcat",
    "root",
    "home/hpcuser",
    "var/log",
    "var/lib/munge",
    "var/spool",
  ])
    fs.mkdirSync(path.join(root, d), { recursive: true, mode: 0o755 });
  fs.chmodSync(path.join(root, "root"), 0o700);
  fs.mkdirSync(path.join(root, "tmp"), { mode: 0o755 });
  fs.chmodSync(path.join(root, "tmp"), 0o1777);
  fs.copyFileSync(busybox, path.join(root, "bin/busybox"));
  fs.chmodSync(path.join(root, "bin/busybox"), 0o755);
  // Applets as absolute symlinks to /bin/busybox (the tree's own, once booted).
  const applets = execFileSync(busybox, ["--list-full"], { encoding: "utf8" }).split("\n").filter(Boolean);
  for (const a of applets) {
    const p = path.join(root, a);
    if (a === "bin/busybox" || fs.existsSync(p)) continue;
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.symlinkSync("/bin/busybox", p);
  }
  fs.writeFileSync(path.join(root, "init"), INIT, { mode: 0o755 });
  for (const [rel, f] of Object.entries(FILES)) {
    const p = path.join(root, rel);
    fs.writeFileSync(p, f.text);
    fs.chmodSync(p, f.mode ?? 0o644);
    if (f.uid !== undefined) fs.chownSync(p, f.uid, f.gid ?? f.uid);
  }
  fs.chownSync(path.join(root, "home/hpcuser"), 1001, 1001);
  fs.chownSync(path.join(root, "var/lib/munge"), 990, 990);
  fs.chownSync(path.join(root, "etc/munge"), 990, 990);
  fs.chmodSync(path.join(root, "etc/munge"), 0o700);
  fs.linkSync(path.join(root, "usr/local/bin/hello"), path.join(root, "usr/local/bin/hello-again"));
  // The image's own zone file, so the absolute link resolves inside the image (never on the host) instead of dangling.
  fs.mkdirSync(path.join(root, "usr/share/zoneinfo"), { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(root, "usr/share/zoneinfo/UTC"), utcZoneinfo(), { mode: 0o644 });
  fs.symlinkSync("/usr/share/zoneinfo/UTC", path.join(root, "etc/localtime"));
  // A fifo and device nodes: Node cannot make them, mknod/mkfifo (coreutils) can.
  execFileSync("mkfifo", ["-m", "0600", path.join(root, "var/spool/demo.fifo")]);
  execFileSync("mknod", ["-m", "0600", path.join(root, "dev/console"), "c", "5", "1"]);
  execFileSync("mknod", ["-m", "0666", path.join(root, "dev/null"), "c", "1", "3"]);
}

export type EnsureDemoImageOptions = { backend: LocalBackend; imagesDir: string; kernel?: string; log?: (line: string) => void };

export async function ensureDemoImage(opts: EnsureDemoImageOptions): Promise<{ created: boolean; dir: string }> {
  const dir = path.join(opts.imagesDir, DEMO_IMAGE_NAME);
  const existing = await opts.backend.getImage(DEMO_IMAGE_NAME).catch(() => null);
  if (existing && fs.existsSync(path.join(existing.rootimgdir, "rootimg.cpio.gz"))) {
    // A demo image made without its initrd gets one: bundles without a ramdisk are refused by xCAT's imgimport.
    const initrd = path.join(existing.rootimgdir, "initrd-stateless.gz");
    if (!fs.existsSync(initrd)) await buildDemoInitrd(initrd);
    return { created: false, dir: existing.rootimgdir };
  }
  if (existing)
    throw new AppError(
      "conflict",
      `demo image ${DEMO_IMAGE_NAME} is registered but ${existing.rootimgdir}/rootimg.cpio.gz is missing; delete it to recreate`,
    );
  const log = opts.log ?? (() => {});
  const kernel = opts.kernel ?? findKernel();
  if (!kernel) throw new AppError("unavailable", "no /boot/vmlinuz-* found: install Debian's linux-image-amd64 for the demo image");
  fs.mkdirSync(opts.imagesDir, { recursive: true });
  // Built beside its final place and renamed: a crash never leaves a half-made demo image registered.
  const stage = fs.mkdtempSync(path.join(opts.imagesDir, ".demo-build-"));
  try {
    const tree = path.join(stage, "rootimg");
    log(`building the demo root tree from busybox-static in ${tree}`);
    buildDemoTree(tree);
    fs.copyFileSync(kernel, path.join(stage, "kernel"));
    log("building its initrd-stateless.gz (busybox: unpacks rootimg.cpio.gz into a tmpfs, as xCAT's initrd does)");
    await buildDemoInitrd(path.join(stage, "initrd-stateless.gz"));
    log(`packing with the product's own pack`);
    const r = await packTree({ tree, archive: path.join(stage, "rootimg.cpio.gz"), stamp: DEMO_IMAGE_NAME, full: true });
    // Start "packed only": the user unpacks it from the browser; drop the tree and its pack state.
    fs.rmSync(tree, { recursive: true, force: true });
    fs.rmSync(path.join(stage, ".rootimg-studio"), { recursive: true, force: true });
    fs.chmodSync(stage, 0o755); // mkdtemp made it 0700; nodes fetch rootimgdir files over HTTP
    fs.renameSync(stage, dir);
    await opts.backend.registerImage({
      imagename: DEMO_IMAGE_NAME,
      osvers: "debian12",
      osarch: "x86_64",
      profile: "compute",
      provmethod: "netboot",
      rootimgdir: dir,
      description: "Busybox demo image that boots in QEMU",
    });
    await recordVersion({
      image: DEMO_IMAGE_NAME,
      archive: path.join(dir, "rootimg.cpio.gz"),
      stampUuid: r.uuid,
      packedBy: "system",
      note: "demo image created",
    });
    log(`demo image ${DEMO_IMAGE_NAME} ready (${r.size} bytes, ${r.entries} entries)`);
    return { created: true, dir };
  } catch (e) {
    fs.rmSync(stage, { recursive: true, force: true });
    throw e;
  }
}
