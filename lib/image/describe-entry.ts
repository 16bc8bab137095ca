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

export function entryType(st: fs.Stats): EntryType {
  if (st.isSymbolicLink()) return "symlink";
  if (st.isDirectory()) return "dir";
  if (st.isFile()) return "file";
  if (st.isCharacterDevice()) return "char";
  if (st.isBlockDevice()) return "block";
  if (st.isFIFO()) return "fifo";
  return "socket";
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

export function describeEntry(opts: { name: string; path: string; st: fs.Stats; users: ImageUsers }): FileEntry {
  const { st, users } = opts;
  const type = entryType(st);
  const mode = st.mode & 0o7777;
  return {
    name: opts.name,
    path: opts.path,
    type,
    mode,
    octal: mode.toString(8).padStart(4, "0"),
    symbolic: symbolicMode(type, mode),
    uid: st.uid,
    gid: st.gid,
    user: users.userById.get(st.uid) ?? null,
    group: users.groupById.get(st.gid) ?? null,
    size: st.size,
    mtime: Math.floor(st.mtimeMs),
    nlink: st.nlink,
  };
}

/** Joins an image directory path and a name. */
export function joinImagePath(dir: string, name: string): string {
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}
