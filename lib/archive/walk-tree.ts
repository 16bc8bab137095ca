import { lstatSync, readdirSync, type Stats } from "node:fs";
import { ArchiveError } from "./errors.ts";
import type { EntryType } from "./types.ts";

export interface TreeEntry {
  /** "" for the root, else "etc/motd". */
  rel: string;
  abs: string;
  st: Stats;
  type: EntryType;
}

export function typeOfStats(st: Stats): EntryType {
  if (st.isFile()) return "file";
  if (st.isDirectory()) return "dir";
  if (st.isSymbolicLink()) return "symlink";
  if (st.isCharacterDevice()) return "char";
  if (st.isBlockDevice()) return "block";
  if (st.isFIFO()) return "fifo";
  return "socket";
}

/**
 * Lists a tree like `find . -xdev` (parents before children, root first) but in a deterministic order: names
 * sorted within each directory, so identical trees give identical archives. -xdev: a directory on another
 * filesystem is listed but not entered (bind mounts such as proc stay out of the image).
 */
export function walkTree(root: string, opts: { xdev?: boolean } = {}): TreeEntry[] {
  const rootSt = lstatSync(root);
  if (!rootSt.isDirectory()) throw new ArchiveError(`${root} is not a directory`);
  const out: TreeEntry[] = [{ rel: "", abs: root, st: rootSt, type: "dir" }];
  const xdev = opts.xdev !== false;
  const visit = (dirRel: string, dirAbs: string) => {
    const names = readdirSync(dirAbs).sort();
    for (const name of names) {
      if (name.includes("\uFFFD")) throw new ArchiveError(`file name in ${dirAbs} is not valid UTF-8 (${JSON.stringify(name)}); rename it before packing`);
      const rel = dirRel ? `${dirRel}/${name}` : name;
      const abs = `${dirAbs}/${name}`;
      const st = lstatSync(abs);
      const type = typeOfStats(st);
      out.push({ rel, abs, st, type });
      if (type === "dir" && (!xdev || st.dev === rootSt.dev)) visit(rel, abs);
    }
  };
  visit("", root);
  return out;
}
