import { spawnSync } from "node:child_process";
import { AppError } from "../errors";

/**
 * Extended attributes (file capabilities `security.capability`, POSIX ACLs `system.posix_acl_*`,
 * `user.*`, `trusted.*`) carried from one open file to another. Node has no xattr API, so the `attr`
 * tools do it. They get the files as inherited descriptors (fd 3 in the child) and name them
 * `/proc/self/fd/3`: no path is resolved again, so a symlink swapped in meanwhile cannot redirect them.
 * Synchronous because saveImageFile is synchronous on purpose (see there).
 */
export function copyXattrs(o: { fromFd: number; toFd: number; what: string }): void {
  const dump = dumpXattrs(o.fromFd, o.what);
  if (dump) restoreXattrs({ fd: o.toFd, dump, what: o.what });
}

/** The `getfattr` dump of every attribute of the file open on `fd` (base64 values), or null when it has none. */
export function dumpXattrs(fd: number, what: string): Buffer | null {
  const r = spawnSync("getfattr", ["-d", "-m", "-", "--absolute-names", "-e", "base64", "/proc/self/fd/3"], {
    stdio: ["ignore", "pipe", "pipe", fd],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.error) throw toolMissing(r.error, "getfattr", what);
  // a file system without xattr support has nothing to carry over
  if (r.status !== 0 && /not supported/i.test(String(r.stderr))) return null;
  if (r.status !== 0) throw new AppError("internal", `Could not read the extended attributes of ${what}: ${String(r.stderr).trim()}`);
  return /^[^#\s]/m.test(String(r.stdout)) ? r.stdout : null;
}

/** Applies a `dumpXattrs` dump to the file open on `fd` (setfattr --restore reads the dump's file name, fd 3). */
export function restoreXattrs(o: { fd: number; dump: Buffer; what: string }): void {
  const r = spawnSync("setfattr", ["--restore=-"], { input: o.dump, stdio: ["pipe", "pipe", "pipe", o.fd] });
  if (r.error) throw toolMissing(r.error, "setfattr", o.what);
  if (r.status !== 0) {
    throw new AppError("internal", `Could not keep the extended attributes (capabilities, ACLs) of ${o.what}; nothing was saved: ${String(r.stderr).trim()}`);
  }
}

function toolMissing(e: Error, tool: string, what: string): AppError {
  return new AppError("unavailable", `Could not run ${tool} for ${what} (${e.message}); install the Debian package "attr".`, { cause: e });
}
