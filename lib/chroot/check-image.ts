import fs from "node:fs";
import path from "node:path";
import { ChrootError } from "./chroot-error";

/** ELF e_machine values of the architectures an xCAT cluster runs, with Node's and qemu's names. */
const MACHINES: Record<number, { node: string; name: string; qemu: string }> = {
  0x3e: { node: "x64", name: "x86_64", qemu: "x86_64" },
  0x03: { node: "ia32", name: "i386", qemu: "i386" },
  0xb7: { node: "arm64", name: "aarch64", qemu: "aarch64" },
  0x28: { node: "arm", name: "arm", qemu: "arm" },
  0x15: { node: "ppc64", name: "ppc64", qemu: "ppc64" },
  0xf3: { node: "riscv64", name: "riscv64", qemu: "riscv64" },
  0x16: { node: "s390x", name: "s390x", qemu: "s390x" },
};

export type ImageShell = {
  /** the image's /bin/sh after following its symlinks inside the image, e.g. /bin/busybox */
  shell: string;
  /** the architecture of that ELF file, e.g. x86_64 ("script" when /bin/sh is not ELF) */
  arch: string;
  /** set when the host runs it through qemu-user-static's binfmt handler */
  emulator?: string;
};

/** Follows symlinks of `p` (an absolute path inside the image) the way the image's kernel would: inside `root`. */
function resolveInsideImage(root: string, p: string): string | null {
  let current = p;
  for (let hops = 0; hops < 40; hops++) {
    const parts = current.split("/").filter(Boolean);
    let done = "/";
    let jumped = false;
    for (let i = 0; i < parts.length; i++) {
      const next = path.posix.join(done, parts[i]);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(path.join(root, next));
      } catch {
        return null;
      }
      if (st.isSymbolicLink()) {
        const target = fs.readlinkSync(path.join(root, next));
        const rest = parts.slice(i + 1).join("/");
        current = path.posix.normalize(path.posix.join(target.startsWith("/") ? "/" : done, target, rest));
        jumped = true;
        break;
      }
      done = next;
    }
    if (!jumped) return done;
  }
  return null;
}

/**
 * Checks before anything runs that the image has a `/bin/sh` this host can execute: it exists (following
 * the image's own symlinks, e.g. busybox applets), and when it is an ELF binary its machine is the host's,
 * or qemu-user-static has registered a binfmt handler for it. Throws a ChrootError naming what to do.
 */
export function checkImageShell(tree: string, opts: { hostArch?: string; binfmtDir?: string } = {}): ImageShell {
  const hostArch = opts.hostArch ?? process.arch;
  const shell = resolveInsideImage(tree, "/bin/sh");
  if (!shell)
    throw new ChrootError(
      "no-shell",
      "The image has no /bin/sh (or it is a broken link), so no command can run in it. Install a shell in the image (busybox or dash), or check that the tree is complete.",
    );
  const file = path.join(tree, shell);
  let head = Buffer.alloc(20);
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new ChrootError("no-shell", `The image's /bin/sh (${shell}) is not a regular file; no command can run in it.`);
    if ((st.mode & 0o111) === 0)
      throw new ChrootError(
        "no-shell",
        `The image's /bin/sh (${shell}) is not executable (mode ${(st.mode & 0o7777).toString(8)}); fix its mode first.`,
      );
    head = head.subarray(0, fs.readSync(fd, head, 0, 20, 0));
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  if (head.length < 20 || head.readUInt32BE(0) !== 0x7f454c46) return { shell, arch: "script" };
  const little = head[5] === 1;
  const machine = little ? head.readUInt16LE(18) : head.readUInt16BE(18);
  const m = MACHINES[machine];
  const arch = m?.name ?? `ELF machine 0x${machine.toString(16)}`;
  if (m?.node === hostArch) return { shell, arch };
  const hostName = Object.values(MACHINES).find((x) => x.node === hostArch)?.name ?? hostArch;
  const handler = m && path.join(opts.binfmtDir ?? "/proc/sys/fs/binfmt_misc", `qemu-${m.qemu}`);
  if (handler && fs.existsSync(handler) && /^enabled/m.test(fs.readFileSync(handler, "utf8"))) {
    return { shell, arch, emulator: `qemu-${m.qemu} (binfmt)` };
  }
  throw new ChrootError(
    "foreign-arch",
    `The image is built for ${arch} (its /bin/sh is ${shell}) and this host is ${hostName}: its programs cannot run here. ` +
      (m
        ? `Install Debian's qemu-user-static and binfmt-support (registers qemu-${m.qemu}) to run them emulated, or run the command on a ${arch} host.`
        : "No emulator is known for it."),
  );
}
