import fs from "node:fs";
import { AppError } from "@/lib/errors";
import type { FileEntry } from "./describe-entry";
import { idFromNameOrNumber, readImageUsers } from "./image-users";
import { statEntry } from "./list-directory";
import { fsError, openInRoot } from "./open-in-root";
import { resolveInRoot } from "./resolve-in-root";

export type ChangeAttributesOptions = {
  root: string;
  path: string;
  /** permission bits incl. setuid/setgid/sticky, or an octal string "0755" */
  mode?: number | string;
  /** user name from the image's /etc/passwd, or a number */
  owner?: string | number;
  /** group name from the image's /etc/group, or a number */
  group?: string | number;
};

export function parseMode(mode: number | string): number {
  const n = typeof mode === "number" ? mode : /^[0-7]{1,4}$/.test(mode) ? Number.parseInt(mode, 8) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0o7777)
    throw new AppError("unprocessable", `Mode ${mode} is not valid; give octal digits such as 0644 or 4755.`);
  return n;
}

/**
 * chmod/chown inside an image. Regular files and directories are changed through a descriptor opened
 * with O_NOFOLLOW and verified inside the root (fchown/fchmod), so a swap cannot redirect the change.
 * A symlink itself only gets lchown (Linux has no symlink modes); the link is never followed.
 * Owner first, then mode: chown clears setuid/setgid, and the requested mode must win.
 */
export function changeAttributes(opts: ChangeAttributesOptions): { before: FileEntry; after: FileEntry } {
  const users = readImageUsers(opts.root);
  const uid = opts.owner === undefined ? undefined : idFromNameOrNumber(opts.owner, users.uidByName, "user");
  const gid = opts.group === undefined ? undefined : idFromNameOrNumber(opts.group, users.gidByName, "group");
  const mode = opts.mode === undefined ? undefined : parseMode(opts.mode);
  const before = statEntry(opts.root, opts.path);
  const r = resolveInRoot(opts.root, opts.path, { followFinal: false });
  try {
    if (!r.exists || !r.stat) throw new AppError("not_found", `${r.path} does not exist in the image.`);
    const st = r.stat;
    if (st.isSymbolicLink()) {
      if (mode !== undefined)
        throw new AppError("unprocessable", `${r.path} is a symbolic link; links have no mode of their own. Change the target instead.`);
      fs.lchownSync(r.at, uid ?? st.uid, gid ?? st.gid);
    } else if (st.isFile() || st.isDirectory()) {
      const flags = st.isDirectory() ? fs.constants.O_RDONLY | fs.constants.O_DIRECTORY : fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;
      const fd = r.name === "." ? fs.openSync(r.at, flags) : openInRoot(r, flags);
      try {
        if (fs.fstatSync(fd).ino !== st.ino) throw new AppError("conflict", `${r.path} was replaced meanwhile; reload and try again.`);
        if (uid !== undefined || gid !== undefined) fs.fchownSync(fd, uid ?? st.uid, gid ?? st.gid);
        if (mode !== undefined || uid !== undefined || gid !== undefined) fs.fchmodSync(fd, mode ?? st.mode & 0o7777);
      } finally {
        fs.closeSync(fd);
      }
    } else {
      // Devices, fifos, sockets: opening them has side effects (a device node opens the HOST's device),
      // and chmod by path would follow a symlink swapped in meanwhile. lchown never follows; modes are refused.
      if (mode !== undefined)
        throw new AppError("unprocessable", `${r.path} is a device, fifo or socket; change its mode with a command in the image (chmod).`);
      fs.lchownSync(r.at, uid ?? st.uid, gid ?? st.gid);
    }
  } catch (e) {
    fsError(e, r.path, "change the attributes");
  } finally {
    r.close();
  }
  return { before, after: statEntry(opts.root, opts.path) };
}
