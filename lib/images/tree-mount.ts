/**
 * Keeps local users of the management node away from the setuid programs and device nodes of an unpacked
 * tree while the product serves it. A tree is reachable by others when every directory above it lets them
 * pass (xCAT's `/install/netboot/.../rootimg`; xCAT's web server must keep serving rootimgdir, and the tree's
 * own root mode is the node's `/`, so neither can be closed). Such a tree is bind-mounted onto itself with
 * `nosuid,nodev`: its files keep their modes (packing archives them as they are), but nothing in it runs
 * setuid and no device node in it opens a host device. A tree below a directory only root may pass (the
 * local backend's, under the 0700 data directory) needs no mount.
 *
 * Call protectTree after an unpack, an adopt and at start-up; call releaseTree before renaming or deleting
 * the tree (a mount point cannot be renamed: EBUSY). Both are idempotent. Without the right to mount (not
 * root, a container without CAP_SYS_ADMIN) protectTree reports why and the tree stays as it is.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

// Trees this process mounted, released at shutdown. On globalThis: route bundles and server.ts load their own
// copies of this module.
const g = globalThis as unknown as { rootimgMountedTrees?: Set<string> };
const mounted = (g.rootimgMountedTrees ??= new Set());

export type TreeProtection = { tree: string; state: "mounted" | "already" | "private" | "failed"; detail?: string };

/** True when some directory above `p` is root's and lets nobody else pass (no search bit for group/other). */
export function hasPrivateAncestor(p: string): boolean {
  let dir = path.dirname(path.resolve(p));
  for (;;) {
    const st = fs.statSync(dir, { throwIfNoEntry: false });
    if (st && st.uid === 0 && (st.mode & 0o011) === 0) return true;
    const up = path.dirname(dir);
    if (up === dir) return false;
    dir = up;
  }
}

/**
 * The mount whose mount point is exactly `p` (the last one wins), from /proc/self/mountinfo: its options and
 * whether it is a bind of a directory (its root inside the file system is not `/`), as protectTree makes.
 */
export function mountAt(p: string): { options: string[]; bind: boolean } | null {
  const target = path.resolve(p);
  let found: { options: string[]; bind: boolean } | null = null;
  for (const line of fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const f = line.split(" ");
    if (f.length > 5 && unescapeMountPath(f[4]) === target) found = { options: f[5].split(","), bind: f[3] !== "/" };
  }
  return found;
}

/** Mount points strictly below `p` (a chroot's /proc, /dev, a bind mount left by a killed command). */
export function mountsBelow(p: string): Set<string> {
  const top = `${path.resolve(p)}/`;
  const out = new Set<string>();
  for (const line of fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const at = line.split(" ")[4];
    if (at && unescapeMountPath(at).startsWith(top)) out.add(unescapeMountPath(at));
  }
  return out;
}

// mountinfo escapes space, tab, newline and backslash as octal (\040 ...)
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

function run(cmd: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", (e) => resolve({ code: -1, stderr: e.message }));
    child.on("close", (code) => resolve({ code: code ?? -1, stderr: stderr.trim() }));
  });
}

export async function protectTree(tree: string): Promise<TreeProtection> {
  if (!fs.existsSync(tree)) return { tree, state: "failed", detail: "does not exist" };
  const opts = mountAt(tree)?.options;
  if (opts?.includes("nosuid") && opts.includes("nodev")) {
    if (mountAt(tree)?.bind) mounted.add(path.resolve(tree)); // left by an earlier run that was killed
    return { tree, state: "already" };
  }
  if (!opts && hasPrivateAncestor(tree)) return { tree, state: "private" };
  if (!opts) {
    const bind = await run("mount", ["--bind", "--", tree, tree]);
    if (bind.code !== 0) return { tree, state: "failed", detail: `mount --bind: ${bind.stderr}` };
  }
  const remount = await run("mount", ["-o", "remount,bind,nosuid,nodev", "--", tree]);
  if (remount.code !== 0) {
    if (!opts) await run("umount", ["--", tree]);
    return { tree, state: "failed", detail: `mount -o remount,bind,nosuid,nodev: ${remount.stderr}` };
  }
  mounted.add(path.resolve(tree));
  return { tree, state: "mounted" };
}

/**
 * Undoes protectTree (every bind of the tree onto itself). A tree that is not a mount point is left alone, and
 * so is a file system an admin mounted there (not a bind).
 */
export async function releaseTree(tree: string): Promise<void> {
  for (let i = 0; i < 8 && mountAt(tree)?.bind; i++) {
    const r = await run("umount", ["--", tree]);
    if (r.code !== 0) {
      // Busy (a command running inside it): detach now, the kernel frees it when the last user goes.
      const lazy = await run("umount", ["-l", "--", tree]);
      if (lazy.code !== 0) throw new Error(`cannot unmount ${tree}: ${r.stderr}; ${lazy.stderr}`);
    }
  }
  mounted.delete(path.resolve(tree));
}

/**
 * Lifts nosuid,nodev from a protected tree in place, leaving its bind mount (and anything mounted below it)
 * where it is: for a hand-run genimage that may already have mounted its chroot's /proc and /dev inside, which
 * an unmount (a lazy one above all) would detach. protectTree puts the options back.
 */
export async function loosenTree(tree: string): Promise<void> {
  if (!mountAt(tree)?.bind) return;
  const r = await run("mount", ["-o", "remount,bind,suid,dev", "--", tree]);
  if (r.code !== 0) throw new Error(`cannot remount ${tree} suid,dev: ${r.stderr}`);
}

/** At shutdown: the product no longer serves the trees, so it leaves them as xCAT's tools expect (not mount points). */
export async function releaseAllTrees(): Promise<void> {
  for (const tree of [...mounted]) await releaseTree(tree).catch((e) => console.error((e as Error).message));
}

/** protectTree with one line about the outcome for a job log or the server log (nothing for a private tree). */
export async function protectTreeAndSay(tree: string, say: (line: string, stream?: "stdout" | "stderr") => void): Promise<TreeProtection> {
  const r = await protectTree(tree);
  if (r.state === "mounted")
    say(`${tree} is mounted nosuid,nodev while it is served: no local user runs its setuid programs or opens its device nodes`);
  if (r.state === "failed")
    say(`could not mount ${tree} nosuid,nodev (${r.detail}): local users can reach its setuid programs and device nodes`, "stderr");
  return r;
}
