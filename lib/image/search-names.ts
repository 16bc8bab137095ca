import fs from "node:fs";
import { AppError } from "@/lib/errors";
import type { EntryType } from "./describe-entry";
import { compileGlob } from "./glob-match";
import { type DirRecord, KINDS, nameIndexFor, namesOf, openDirNoFollow, readDirRecord, stillValid } from "./name-index";
import { openRootHandle, resolveInRoot } from "./resolve-in-root";

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
  /** the clock the index's racy check reads (tests move it forward instead of waiting) */
  clock?: () => number;
};

export type SearchNamesResult = {
  hits: NameHit[];
  truncated: boolean;
  visited: number;
  /** directories read from disk in this search (the others were proven unchanged by their lstat) */
  dirsRead: number;
};

/** Longest run of synchronous work before the event loop gets a turn: other requests wait at most this long. */
const SLICE_MS = 15;
const DEPTH_MAX = 128;

/**
 * Searches file names over the image, depth first in name order, without following symlinks (a link to / would
 * make the walk endless). Names come from the tree's name index (name-index.ts), kept between searches: each
 * directory is lstat'ed, and read again only when its identity or mtime/ctime moved (every create, delete or rename
 * in it moves them; ctime cannot be set back) or its last read was too close to a change to prove anything. So a
 * change made by hand on the management node is found, and an unchanged image costs one lstat per directory, not
 * a readdir of every directory. Directories are read through descriptors opened with O_NOFOLLOW from the root.
 * Bounded three ways (hits, entries visited, matcher steps) and cooperative: it yields every 15 ms.
 */
export async function searchNames(opts: SearchNamesOptions): Promise<SearchNamesResult> {
  const q = opts.query.trim();
  if (q.length < 1 || q.length > 255) throw new AppError("unprocessable", "Give 1 to 255 characters to search for.");
  const match = compileGlob(q);
  const limit = opts.limit ?? 200;
  const maxVisited = opts.maxVisited ?? 500_000;
  // About a second of matching on this class of machine for the worst accepted pattern; a normal search
  // of a whole image uses a few percent of it.
  const maxSteps = opts.maxSteps ?? 50_000_000;
  const start = resolveInRoot(opts.root, opts.under ?? "/", { followFinal: true });
  let startPath: string;
  try {
    if (!start.stat?.isDirectory()) throw new AppError("unprocessable", `${start.path} is not a directory.`);
    startPath = start.path;
  } finally {
    start.close();
  }
  const handle = openRootHandle(opts.root);
  const index = nameIndexFor(handle.real);
  const hits: NameHit[] = [];
  const seenDirs = new Set<string>();
  let visited = 0;
  let dirsRead = 0;
  let truncated = false;
  let sliceStart = Date.now();

  /** The record of `rel`, read again unless its lstat proves it unchanged; undefined when it is no directory now. */
  const recordOf = (rel: string, parentFd: number | undefined, name: string): { rec?: DirRecord; fd?: number } => {
    const st = fs.lstatSync(rel === "" ? handle.real : `${handle.real}/${rel}`, { throwIfNoEntry: false });
    const known = index.dirs.get(rel);
    if (st?.isDirectory() && stillValid(known, st)) return { rec: known };
    let fd: number | undefined;
    if (parentFd !== undefined) {
      try {
        fd = fs.openSync(`/proc/self/fd/${parentFd}/${name}`, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
      } catch {
        fd = undefined;
      }
    } else fd = openDirNoFollow(handle.fd, rel);
    if (fd === undefined) {
      index.dirs.delete(rel);
      return {};
    }
    const rec = readDirRecord(fd, (opts.clock ?? Date.now)());
    dirsRead++;
    index.dirs.set(rel, rec);
    return { rec, fd };
  };

  const visit = async (rel: string, parentFd: number | undefined, name: string, depth: number): Promise<void> => {
    const { rec, fd } = recordOf(rel, parentFd, name);
    if (!rec) return;
    seenDirs.add(rel);
    try {
      const names = namesOf(rec);
      const dirPath = rel === "" ? "" : `/${rel}`;
      for (let i = 0; i < names.length; i++) {
        if (++visited > maxVisited || hits.length >= limit || match.steps > maxSteps) {
          truncated = true;
          return;
        }
        const n = names[i];
        const kind = rec.kinds[i];
        if (match.test(n)) hits.push({ path: `${dirPath}/${n}`, type: KINDS[kind] });
        if (kind !== 1 || depth >= DEPTH_MAX) continue;
        if (Date.now() - sliceStart >= SLICE_MS) {
          await new Promise((r) => setImmediate(r));
          sliceStart = Date.now();
        }
        await visit(rel === "" ? n : `${rel}/${n}`, fd, n, depth + 1);
        if (truncated) return;
      }
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  };

  try {
    const startRel = startPath === "/" ? "" : startPath.slice(1);
    await visit(startRel, undefined, "", 0);
    // A complete search from the root saw every directory that still exists: drop the records of the others.
    if (startRel === "" && !truncated) for (const rel of index.dirs.keys()) if (!seenDirs.has(rel)) index.dirs.delete(rel);
    return { hits, truncated, visited, dirsRead };
  } finally {
    handle.close();
  }
}
