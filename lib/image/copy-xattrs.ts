import { AppError } from "@/lib/errors";
import { runXattrTool } from "./xattr-worker";

/**
 * Extended attributes (file capabilities `security.capability`, POSIX ACLs `system.posix_acl_*`,
 * `user.*`, `trusted.*`) carried from one open file to another. Node 20 has no xattr API (no
 * getxattr/setxattr binding, no FFI, and WASI has no xattr calls), and the project takes no native
 * addons, so the `attr` tools do it, run by a long-lived helper (xattr-worker.ts) so the server never
 * forks for a save: the request waits for them, the event loop does not. The caller keeps the
 * descriptors open until the returned promise settles.
 */
export async function copyXattrs(o: { fromFd: number; toFd: number; what: string }): Promise<void> {
  const dump = await dumpXattrs(o.fromFd, o.what);
  if (dump) await restoreXattrs({ fd: o.toFd, dump, what: o.what });
}

/** The `getfattr` dump of every attribute of the file open on `fd` (base64 values), or null when it has none. */
export async function dumpXattrs(fd: number, what: string): Promise<Buffer | null> {
  const r = await runXattrTool({ op: "get", fd });
  // a file system without xattr support has nothing to carry over
  if (r.status !== 0 && /not supported/i.test(r.stderr)) return null;
  if (r.status === 127) throw toolMissing(r.stderr, "getfattr", what);
  if (r.status !== 0) throw new AppError("internal", `Could not read the extended attributes of ${what}: ${r.stderr.trim()}`);
  return /^[^#\s]/m.test(r.stdout.toString()) ? r.stdout : null;
}

/** Applies a `dumpXattrs` dump (of any file) to the file open on `fd`: its `# file:` line is pointed at that file. */
export async function restoreXattrs(o: { fd: number; dump: Buffer; what: string }): Promise<void> {
  const input = Buffer.from(o.dump.toString("latin1").replace(/^# file: .*$/m, `# file: /proc/${process.pid}/fd/${o.fd}`), "latin1");
  const r = await runXattrTool({ op: "set", fd: o.fd, input });
  if (r.status === 127) throw toolMissing(r.stderr, "setfattr", o.what);
  if (r.status !== 0) {
    throw new AppError(
      "internal",
      `Could not keep the extended attributes (capabilities, ACLs) of ${o.what}; nothing was saved: ${r.stderr.trim()}`,
    );
  }
}

function toolMissing(why: string, tool: string, what: string): AppError {
  return new AppError("unavailable", `Could not run ${tool} for ${what} (${why.trim()}); install the Debian package "attr".`);
}
