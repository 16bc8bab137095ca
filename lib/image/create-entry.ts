import fs from "node:fs";
import { AppError } from "@/lib/errors";
import { parseMode } from "./change-attributes";
import type { FileEntry } from "./describe-entry";
import { statEntry } from "./list-directory";
import { fsError } from "./open-in-root";
import { MAX_PATH, resolveInRoot } from "./resolve-in-root";
import { discardTemp, stageTemp, tempPlaced } from "./staged-write";

export type CreateEntryOptions = {
  root: string;
  path: string;
  type: "file" | "dir" | "symlink";
  /** symlink target, stored as given (it is resolved inside the image when followed) */
  target?: string;
  mode?: number | string;
};

/**
 * Creates an empty file, a directory or a symlink. New entries are owned like their parent directory
 * (an image's /var/lib/munge stays munge's), never by the server's root user unless the parent is.
 * The final component is never followed: an existing entry or dangling link there is a conflict.
 */
export function createEntry(opts: CreateEntryOptions): FileEntry {
  const r = resolveInRoot(opts.root, opts.path, { followFinal: false });
  try {
    if (r.name === ".") throw new AppError("unprocessable", `Give a name to create inside ${r.path}.`);
    if (r.exists) throw new AppError("conflict", `${r.path} already exists; choose another name.`);
    const parent = fs.fstatSync(r.dirFd);
    try {
      if (opts.type === "file") {
        // created as a temp file with final owner and mode, then linked into place without replacing anything
        // (staged beside the tree, so a crash never leaves it inside)
        const tmp = stageTemp(r, { uid: parent.uid, gid: parent.gid, mode: parseMode(opts.mode ?? 0o644), renameOnto: true });
        fs.closeSync(tmp.fd);
        tmp.fd = -1;
        try {
          fs.linkSync(tmp.at, r.at);
        } finally {
          discardTemp(tmp);
          tempPlaced(tmp);
        }
      } else if (opts.type === "dir") {
        fs.mkdirSync(r.at, { mode: 0o700 });
        // owner and mode through a descriptor: a directory swapped for a symlink meanwhile is not followed
        const fd = fs.openSync(r.at, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
        try {
          fs.fchownSync(fd, parent.uid, parent.gid);
          fs.fchmodSync(fd, parseMode(opts.mode ?? 0o755));
        } finally {
          fs.closeSync(fd);
        }
      } else {
        const t = opts.target ?? "";
        if (t === "" || t.includes("\0") || Buffer.byteLength(t) > MAX_PATH) {
          throw new AppError("unprocessable", "A symlink needs a target path (no NUL bytes, at most 4096 bytes).");
        }
        fs.symlinkSync(t, r.at);
        fs.lchownSync(r.at, parent.uid, parent.gid);
      }
    } catch (e) {
      fsError(e, r.path, `create the ${opts.type}`);
    }
    return statEntry(opts.root, r.path);
  } finally {
    r.close();
  }
}
