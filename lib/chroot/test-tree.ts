import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * A small busybox image for the runner's tests: `<base>/rootimg` with /bin/sh and the applets as symlinks,
 * a few files of every kind, and the base directory for run dirs beside it (like .rootimg-studio).
 */
export function makeBusyboxTree(): { base: string; tree: string; runDir: (name: string) => string; cleanup: () => void } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "rootimg-chroot-test-"));
  const tree = path.join(base, "rootimg");
  for (const d of ["bin", "etc", "proc", "sys", "dev", "tmp", "opt/dir/sub", "usr/share/doc/pkg", "root"])
    fs.mkdirSync(path.join(tree, d), { recursive: true });
  fs.copyFileSync("/bin/busybox", path.join(tree, "bin/busybox"));
  fs.chmodSync(path.join(tree, "bin/busybox"), 0o755);
  for (const a of execFileSync("/bin/busybox", ["--list"], { encoding: "utf8" }).split("\n").filter(Boolean)) {
    if (a !== "busybox") fs.symlinkSync("busybox", path.join(tree, "bin", a));
  }
  const w = (p: string, text: string, mode = 0o644) => {
    fs.writeFileSync(path.join(tree, p), text);
    fs.chmodSync(path.join(tree, p), mode);
  };
  w("etc/motd", "welcome\n");
  w("etc/secret", "s\n", 0o644);
  w("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  w("etc/group", "root:x:0:\n");
  w("etc/hostname", "node\n");
  w("etc/resolv.conf", "# image's own\n");
  w("opt/dir/sub/f", "f\n");
  w("usr/share/doc/pkg/README", "readme\n");
  fs.symlinkSync("/usr/share/zoneinfo/UTC", path.join(tree, "etc/localtime"));
  fs.linkSync(path.join(tree, "etc/motd"), path.join(tree, "etc/motd.link"));
  fs.chmodSync(path.join(tree, "tmp"), 0o1777);
  const runs = path.join(base, ".rootimg-studio", "rootimg", "runs");
  return { base, tree, runDir: (name) => path.join(runs, name), cleanup: () => fs.rmSync(base, { recursive: true, force: true }) };
}
