import { spawn } from "node:child_process";
import fs from "node:fs";
import type { Readable } from "node:stream";
import { AppError } from "@/lib/errors";
import { openInRoot } from "./open-in-root";
import { resolveInRoot } from "./resolve-in-root";

export type Download = {
  kind: "file" | "tar";
  /** suggested file name for Content-Disposition */
  filename: string;
  size?: number;
  stream: Readable;
};

/**
 * A file of the image as a stream, or a directory as a tar archive. Symlinks on the way are resolved
 * inside the image; a directory is archived by GNU tar started in that directory through our open
 * descriptor (passed to tar as fd 3, `-C /proc/self/fd/3`), so tar never resolves a host path. tar does
 * not follow symlinks (no -h), stays on the image's file system (no /proc of a chroot), and records
 * numeric ids: the image's users are not the host's.
 */
export function downloadEntry(opts: {
  root: string;
  path: string;
  /** image paths to leave out of a directory archive, given the directory (an fd path) and its image path */
  excludeUnder?: (dirAt: string, dirPath: string) => string[];
}): Download {
  const r = resolveInRoot(opts.root, opts.path, { followFinal: true });
  try {
    if (!r.exists || !r.stat) throw new AppError("not_found", `${r.path} does not exist in the image.`);
    const base = r.path === "/" ? "rootimg" : r.path.slice(r.path.lastIndexOf("/") + 1);
    if (r.stat.isFile()) {
      const fd = openInRoot(r, fs.constants.O_RDONLY);
      const size = fs.fstatSync(fd).size;
      return { kind: "file", filename: base, size, stream: fs.createReadStream("", { fd, autoClose: true }) };
    }
    if (!r.stat.isDirectory())
      throw new AppError("unprocessable", `${r.path} is neither a file nor a directory; download its directory instead.`);
    const dirAt = `/proc/self/fd/${r.dirFd}/${r.name}`;
    const excluded = (opts.excludeUnder?.(dirAt, r.path) ?? []).map(
      (p) => `--exclude=${r.name}${r.path === "/" ? p : p.slice(r.path.length)}`,
    );
    const child = spawn(
      "tar",
      [
        "--numeric-owner",
        "--one-file-system",
        "--xattrs",
        "--anchored",
        "--no-wildcards",
        ...excluded,
        "-C",
        "/proc/self/fd/3",
        "-cf",
        "-",
        "--",
        r.name,
      ],
      { stdio: ["ignore", "pipe", "pipe", r.dirFd] },
    );
    const stdout = child.stdout as Readable;
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    child.on("close", (code) => {
      // tar exits 1 when files changed while reading: the archive is still complete and usable
      if (code !== 0 && code !== 1) stdout.destroy(new Error(`tar failed (${code}) for ${r.path}: ${stderr.trim()}`));
    });
    return { kind: "tar", filename: `${base}.tar`, stream: stdout };
  } finally {
    // the child got its own copy of the descriptor at spawn, so ours can be closed now
    r.close();
  }
}
