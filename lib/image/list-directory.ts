import fs from "node:fs";
import { AppError } from "@/lib/errors";
import { describeEntry, describeListed, entryType, type FileEntry, joinImagePath, type ListedEntry } from "./describe-entry";
import { readImageUsers } from "./image-users";
import { fsError } from "./open-in-root";
import { fdRealPath, openRootHandle, type ResolvedPath, type RootHandle, resolveInRoot } from "./resolve-in-root";

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants;

/** Fills target, dangling and targetType of a symlink entry, resolving the target inside the image. */
export function describeLink(o: { root: string; entry: ListedEntry; path: string; linkAt: string; rootHandle?: RootHandle }): void {
  const entry = o.entry;
  entry.target = fs.readlinkSync(o.linkAt);
  try {
    const r = resolveInRoot(o.root, o.path, { followFinal: true, rootHandle: o.rootHandle });
    try {
      entry.dangling = !r.exists;
      if (r.exists && r.stat) entry.targetType = entryType(r.stat);
    } finally {
      r.close();
    }
  } catch {
    entry.dangling = true; // loops, a missing or non-directory parent: the link leads nowhere
  }
}

/**
 * Lists one directory of an image (symlinks to directories are followed, like `ls dir/`). The directory
 * is opened once with O_NOFOLLOW and every entry is looked up through that descriptor, so a directory
 * swapped meanwhile cannot redirect the listing. Synchronous lstat on purpose: 10,000 entries take a few
 * milliseconds this way, far less than through the thread pool.
 */
export function listDirectory(root: string, dirPath: string, attempt = 0): { path: string; entries: ListedEntry[] } {
  const r = resolveInRoot(root, dirPath, { followFinal: true });
  let fd: number | undefined;
  let handle: RootHandle | undefined;
  try {
    if (!r.exists) throw new AppError("not_found", `${r.path} does not exist in the image.`);
    if (!r.stat?.isDirectory()) throw new AppError("unprocessable", `${r.path} is not a directory.`);
    fd = openDir(r);
    const users = readImageUsers(root);
    const dirAt = `/proc/self/fd/${fd}`;
    // Names come from the descriptor. Metadata is read by the directory's real path: lstat through the
    // /proc magic link costs twice as much, and lstat only reads metadata (never content) and never
    // follows the final name. Checked below: if the directory moved while we listed, list again the slow way.
    const real = fdRealPath(fd);
    const viaReal = attempt === 0 && sameInode(real, fd);
    const base = viaReal ? real : dirAt;
    const entries: ListedEntry[] = [];
    handle = openRootHandle(root); // one root descriptor for resolving every symlink of the listing
    for (const name of fs.readdirSync(dirAt)) {
      const st = fs.lstatSync(`${base}/${name}`, { throwIfNoEntry: false });
      if (!st) continue; // removed while listing
      const e = describeListed({ name, st, users });
      if (e.type === "symlink")
        describeLink({ root, entry: e, path: joinImagePath(r.path, name), linkAt: `${dirAt}/${name}`, rootHandle: handle });
      entries.push(e);
    }
    if (viaReal && !sameInode(real, fd)) return listDirectory(root, dirPath, attempt + 1);
    entries.sort((a, b) =>
      (a.type === "dir") === (b.type === "dir") ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.type === "dir" ? -1 : 1,
    );
    return { path: r.path, entries };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
    handle?.close();
    r.close();
  }
}

/** True when `hostPath` (resolved by the kernel right now) is the directory open as `fd`. */
function sameInode(hostPath: string, fd: number): boolean {
  const a = fs.statSync(hostPath, { throwIfNoEntry: false });
  const b = fs.fstatSync(fd);
  return !!a && a.ino === b.ino && a.dev === b.dev;
}

/** Opens a resolved directory itself (O_NOFOLLOW) and returns its descriptor. */
export function openDir(r: ResolvedPath): number {
  try {
    return fs.openSync(r.at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  } catch (e) {
    return fsError(e, r.path, "open the directory");
  }
}

/** Details of one entry; the final symlink is not followed (the panel shows the link itself). */
export function statEntry(root: string, p: string): FileEntry {
  const r = resolveInRoot(root, p, { followFinal: false });
  try {
    if (!r.exists || !r.stat) throw new AppError("not_found", `${r.path} does not exist in the image.`);
    const name = r.path === "/" ? "/" : r.path.slice(r.path.lastIndexOf("/") + 1);
    const e = describeEntry({ name, path: r.path, st: r.stat, users: readImageUsers(root) });
    if (e.type === "symlink") describeLink({ root, entry: e, path: e.path, linkAt: r.at });
    return e;
  } finally {
    r.close();
  }
}
