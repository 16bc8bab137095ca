import fs from "node:fs";
import { AppError } from "@/lib/errors";
import type { FileEntry } from "./describe-entry";
import { statEntry } from "./list-directory";
import { fsError } from "./open-in-root";
import { resolveInRoot } from "./resolve-in-root";

export type RenameEntryOptions = { root: string; from: string; to: string; overwrite?: boolean };

/**
 * Renames or moves an entry inside the image. Neither final component is followed: renaming a symlink
 * renames the link. Both parents are held open, and the rename goes through their descriptors. Moving a
 * directory into itself is refused (the kernel would say EINVAL).
 */
export function renameEntry(opts: RenameEntryOptions): FileEntry {
  const from = resolveInRoot(opts.root, opts.from, { followFinal: false });
  try {
    const to = resolveInRoot(opts.root, opts.to, { followFinal: false });
    try {
      if (from.name === "." || to.name === ".")
        throw new AppError("unprocessable", "The image root and paths ending in . or .. cannot be renamed.");
      if (!from.exists) throw new AppError("not_found", `${from.path} does not exist in the image.`);
      if (to.path === from.path) return statEntry(opts.root, to.path);
      if (to.path.startsWith(`${from.path}/`)) throw new AppError("unprocessable", `Cannot move ${from.path} into itself (${to.path}).`);
      if (to.exists && !opts.overwrite) throw new AppError("conflict", `${to.path} already exists; choose another name.`);
      try {
        fs.renameSync(from.at, to.at);
      } catch (e) {
        fsError(e, to.path, `rename ${from.path}`);
      }
      return statEntry(opts.root, to.path);
    } finally {
      to.close();
    }
  } finally {
    from.close();
  }
}
