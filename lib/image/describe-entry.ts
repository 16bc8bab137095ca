import fs from "node:fs";
import type { ImageUsers } from "./image-users";

export type EntryType = "file" | "dir" | "symlink" | "char" | "block" | "fifo" | "socket";

/** What the browser sees of one entry of an image. */
export type FileEntry = {
  name: string;
  /** canonical path inside the image */
  path: string;
  type: EntryType;
  /** permission bits incl. setuid/setgid/sticky (mode & 0o7777) */
  mode: number;
  /** "0755" */
  octal: string;
  /** "drwxr-xr-x" */
  symbolic: string;
  uid: number;
  gid: number;
  user: string | null;
  group: string | null;
  size: number;
  /** ms since the epoch */
  mtime: number;
  nlink: number;
  target?: string;
  /** symlink whose target does not exist inside the image */
  dangling?: boolean;
  /** type of what a symlink points to, inside the image */
  targetType?: EntryType;
};

const { S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO } = fs.constants;

/** Entry type from the mode bits (one switch instead of six Stats method calls: listings do this 10,000 times). */
export function entryType(st: fs.Stats): EntryType {
  switch (st.mode & S_IFMT) {
    case S_IFREG:
      return "file";
    case S_IFDIR:
      return "dir";
    case S_IFLNK:
      return "symlink";
    case S_IFCHR:
      return "char";
    case S_IFBLK:
      return "block";
    case S_IFIFO:
      return "fifo";
    default:
      return "socket";
  }
}

const typeChar: Record<EntryType, string> = { file: "-", dir: "d", symlink: "l", char: "c", block: "b", fifo: "p", socket: "s" };

/** `ls -l` style mode string, with s/S, t/T for setuid, setgid and sticky. */
export function symbolicMode(type: EntryType, mode: number): string {
  const rwx = (bits: number, special: boolean, ch: string) => {
    const x = bits & 1;
    const last = special ? (x ? ch : ch.toUpperCase()) : x ? "x" : "-";
    return `${bits & 4 ? "r" : "-"}${bits & 2 ? "w" : "-"}${last}`;
  };
  return (
    typeChar[type] +
    rwx((mode >> 6) & 7, (mode & 0o4000) !== 0, "s") +
    rwx((mode >> 3) & 7, (mode & 0o2000) !== 0, "s") +
    rwx(mode & 7, (mode & 0o1000) !== 0, "t")
  );
}

// A directory of 10,000 entries has a handful of distinct modes: format each once.
const modeStrings = new Map<number, { octal: string; symbolic: string }>();
function modeStringsOf(type: EntryType, mode: number, raw: number) {
  let m = modeStrings.get(raw);
  if (!m) {
    m = { octal: mode.toString(8).padStart(4, "0"), symbolic: symbolicMode(type, mode) };
    if (modeStrings.size < 4096) modeStrings.set(raw, m);
  }
  return m;
}

/** One entry of a listing: everything but the path (the client joins the directory and the name; 10,000
 * repeated directory prefixes are a quarter of a big listing's bytes). */
export type ListedEntry = Omit<FileEntry, "path">;

export function describeListed(opts: { name: string; st: fs.Stats; users: ImageUsers }): ListedEntry {
  const { st, users } = opts;
  const type = entryType(st);
  const mode = st.mode & 0o7777;
  const strings = modeStringsOf(type, mode, st.mode);
  return {
    name: opts.name,
    type,
    mode,
    octal: strings.octal,
    symbolic: strings.symbolic,
    uid: st.uid,
    gid: st.gid,
    user: users.userById.get(st.uid) ?? null,
    group: users.groupById.get(st.gid) ?? null,
    size: st.size,
    mtime: Math.floor(st.mtimeMs),
    nlink: st.nlink,
  };
}

export function describeEntry(opts: { name: string; path: string; st: fs.Stats; users: ImageUsers }): FileEntry {
  return { ...describeListed(opts), path: opts.path };
}

/** Joins an image directory path and a name. */
export function joinImagePath(dir: string, name: string): string {
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}
