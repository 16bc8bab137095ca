import fs from "node:fs";
import { AppError, isAppError } from "@/lib/errors";
import { assertInside, fdRealPath, type ResolvedPath } from "./resolve-in-root";

const { O_NOFOLLOW } = fs.constants;

/**
 * Opens the final component of a resolved path with O_NOFOLLOW (a symlink swapped in after the
 * resolver's check makes the open fail with ELOOP instead of being followed out of the image) and
 * verifies through `/proc/self/fd/N` that the opened file is inside the root. Used for every read
 * and write of file content.
 */
export function openInRoot(r: ResolvedPath, flags: number, mode?: number): number {
  let fd: number;
  try {
    fd = fs.openSync(r.at, flags | O_NOFOLLOW, mode);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ELOOP")
      throw new AppError("conflict", `${r.path} became a symbolic link while it was being opened; reload and try again.`, { cause: e });
    if (code === "ENOENT") throw new AppError("not_found", `${r.path} does not exist in the image.`, { cause: e });
    if (code === "EISDIR") throw new AppError("unprocessable", `${r.path} is a directory.`, { cause: e });
    throw e;
  }
  try {
    assertInside(r.root, fdRealPath(fd), r.path);
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  return fd;
}

/** Translates the errno of a failed file-system call into an AppError that names the path. */
export function fsError(e: unknown, path: string, verb: string): never {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (isAppError(e)) throw e;
  const map: Record<string, [ConstructorParameters<typeof AppError>[0], string]> = {
    ENOENT: ["not_found", `${path} does not exist in the image`],
    EEXIST: ["conflict", `${path} already exists; choose another name`],
    ENOTEMPTY: ["conflict", `${path} is not empty`],
    ENOTDIR: ["unprocessable", `a component of ${path} is not a directory`],
    EISDIR: ["unprocessable", `${path} is a directory`],
    EACCES: ["forbidden", `permission denied on ${path}`],
    EPERM: ["forbidden", `operation not permitted on ${path} (immutable attribute?)`],
    EROFS: ["unavailable", `the file system holding ${path} is read-only`],
    ENOSPC: ["unavailable", `no space left on the device holding ${path}; free space and retry`],
    EXDEV: ["unprocessable", `${path} cannot be moved across file systems`],
    ELOOP: ["conflict", `${path} changed into a symbolic link meanwhile; reload and retry`],
  };
  const m = code ? map[code] : undefined;
  if (m) throw new AppError(m[0], `Could not ${verb}: ${m[1]}.`, { cause: e });
  throw e;
}
