import fs from "node:fs";
import { AppError } from "@/lib/errors";
import { fsError } from "./open-in-root";
import { resolveInRoot } from "./resolve-in-root";

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants;

/**
 * Removes the contents of the directory open as `fd`, recursively. Each subdirectory is opened with
 * O_NOFOLLOW through its parent's descriptor before it is listed, so a subdirectory swapped for a
 * symlink while we work makes the open fail instead of emptying whatever the link points to (the
 * classic `rm -r` race). Symlinks are unlinked, never followed. Returns the number of entries removed.
 */
function emptyDirFd(fd: number): number {
  const dirAt = `/proc/self/fd/${fd}`;
  let count = 0;
  for (const name of fs.readdirSync(dirAt)) {
    const at = `${dirAt}/${name}`;
    const st = fs.lstatSync(at);
    if (st.isDirectory()) {
      const sub = fs.openSync(at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      try {
        count += emptyDirFd(sub);
      } finally {
        fs.closeSync(sub);
      }
      fs.rmdirSync(at);
    } else {
      fs.unlinkSync(at);
    }
    count++;
  }
  return count;
}

/** Deletes a file, symlink (the link, not its target) or directory (recursively) inside the image. */
export function deleteEntry(opts: { root: string; path: string }): { path: string; removed: number; type: string } {
  const r = resolveInRoot(opts.root, opts.path, { followFinal: false });
  try {
    if (r.name === ".") throw new AppError("unprocessable", "The image root and paths ending in . or .. cannot be deleted.");
    if (!r.exists || !r.stat) throw new AppError("not_found", `${r.path} does not exist in the image.`);
    try {
      if (r.stat.isDirectory()) {
        const fd = fs.openSync(r.at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        let n: number;
        try {
          n = emptyDirFd(fd);
        } finally {
          fs.closeSync(fd);
        }
        fs.rmdirSync(r.at);
        return { path: r.path, removed: n + 1, type: "dir" };
      }
      fs.unlinkSync(r.at);
      return { path: r.path, removed: 1, type: r.stat.isSymbolicLink() ? "symlink" : "file" };
    } catch (e) {
      return fsError(e, r.path, "delete");
    }
  } finally {
    r.close();
  }
}
