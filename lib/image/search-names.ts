import fs from "node:fs";
import { AppError } from "@/lib/errors";
import { type EntryType, entryType, joinImagePath } from "./describe-entry";
import { compileGlob } from "./glob-match";
import { resolveInRoot } from "./resolve-in-root";

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants;

export type NameHit = { path: string; type: EntryType };

export type SearchNamesOptions = {
  root: string;
  /** case-insensitive substring of the file name; `*` and `?` act as wildcards */
  query: string;
  /** directory to start in, "/" by default */
  under?: string;
  limit?: number;
  /** stop after visiting this many entries (a real image has ~20,000; this guards against huge trees) */
  maxVisited?: number;
  /** stop after this many character comparisons of the matcher */
  maxSteps?: number;
};

/** Entries handled between two yields to the event loop: other requests wait at most one slice. */
const SLICE = 500;

/**
 * Searches file names over the image, depth first, without following symlinks (a link to / would make
 * the walk endless) and through directory descriptors opened with O_NOFOLLOW. Depth first keeps at most
 * one open descriptor per level. Bounded three ways (hits, entries visited, matcher steps) and cooperative:
 * it yields to the event loop every few thousand entries, so a search of a huge tree never stalls the server.
 */
export async function searchNames(opts: SearchNamesOptions): Promise<{ hits: NameHit[]; truncated: boolean; visited: number }> {
  const q = opts.query.trim();
  if (q.length < 1 || q.length > 255) throw new AppError("unprocessable", "Give 1 to 255 characters to search for.");
  const match = compileGlob(q);
  const limit = opts.limit ?? 200;
  const maxVisited = opts.maxVisited ?? 500_000;
  // About a second of matching on this class of machine for the worst accepted pattern; a normal search
  // of a whole image uses a few percent of it.
  const maxSteps = opts.maxSteps ?? 50_000_000;
  const hits: NameHit[] = [];
  let visited = 0;
  let truncated = false;
  let sinceYield = 0;
  const visit = async (fd: number, dirPath: string, depth: number): Promise<void> => {
    const dirAt = `/proc/self/fd/${fd}`;
    for (const ent of fs.readdirSync(dirAt, { withFileTypes: true })) {
      if (++visited > maxVisited || hits.length >= limit || match.steps > maxSteps) {
        truncated = true;
        return;
      }
      if (++sinceYield >= SLICE) {
        sinceYield = 0;
        await new Promise((r) => setImmediate(r));
      }
      const p = joinImagePath(dirPath, ent.name);
      const isDir = ent.isDirectory();
      if (match.test(ent.name)) {
        const type = ent.isSymbolicLink()
          ? "symlink"
          : isDir
            ? "dir"
            : ent.isFile()
              ? "file"
              : entryType(fs.lstatSync(`${dirAt}/${ent.name}`));
        hits.push({ path: p, type });
      }
      if (!isDir || depth >= 128) continue;
      let sub: number;
      try {
        sub = fs.openSync(`${dirAt}/${ent.name}`, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      } catch {
        continue; // replaced or unreadable meanwhile: skip it
      }
      try {
        await visit(sub, p, depth + 1);
      } finally {
        fs.closeSync(sub);
      }
      if (truncated) return;
    }
  };
  const start = resolveInRoot(opts.root, opts.under ?? "/", { followFinal: true });
  try {
    if (!start.stat?.isDirectory()) throw new AppError("unprocessable", `${start.path} is not a directory.`);
    const fd = fs.openSync(start.at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    try {
      await visit(fd, start.path, 0);
    } finally {
      fs.closeSync(fd);
    }
    return { hits, truncated, visited };
  } finally {
    start.close();
  }
}
