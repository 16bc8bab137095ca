import fs from "node:fs";
import type { EntryType } from "./describe-entry";

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants;

/** Entry types as one byte each (the index keeps a type per name, not an object per entry). */
export const KINDS: readonly EntryType[] = ["file", "dir", "symlink", "char", "block", "fifo", "socket"];
const DIR = 1;

function kindOf(ent: fs.Dirent): number {
  if (ent.isFile()) return 0;
  if (ent.isDirectory()) return DIR;
  if (ent.isSymbolicLink()) return 2;
  if (ent.isCharacterDevice()) return 3;
  if (ent.isBlockDevice()) return 4;
  if (ent.isFIFO()) return 5;
  return 6;
}

/**
 * One directory as read: its identity when read, and its children's names (sorted, joined by "/", which no name
 * contains) with one type byte each. Per directory, not per entry: 186k names cost ~17k of these and a few MB.
 */
export type DirRecord = {
  dev: number;
  ino: number;
  mtimeMs: number;
  ctimeMs: number;
  /** its ctime was too close to the read to prove that a later change moves it: read it again next time */
  racy: boolean;
  names: string;
  kinds: Uint8Array;
};

/**
 * A change to a directory's entries (create, unlink, rename, a type swap) sets its mtime and ctime to the current
 * time; ctime cannot be set back from user space (mtime can: `touch -d`, rsync, tar). Timestamps are taken from a
 * coarse clock (a few ms), and some filesystems keep whole seconds, so two changes may share one ctime: a directory
 * whose ctime is this close to the moment it was read is read again next time.
 */
export const RACY_MS = 3000;

/** The children's names of a record, in the order of its `kinds`. */
export function namesOf(rec: DirRecord): string[] {
  return rec.names === "" ? [] : rec.names.split("/");
}

/** True when `st` (an lstat of the directory now) proves the record still lists exactly its entries. */
export function stillValid(rec: DirRecord | undefined, st: fs.Stats): rec is DirRecord {
  return !!rec && !rec.racy && rec.dev === st.dev && rec.ino === st.ino && rec.mtimeMs === st.mtimeMs && rec.ctimeMs === st.ctimeMs;
}

/**
 * Reads the directory open as `fd`: identity first (a change during the read then moves its ctime past the recorded
 * one, so the next search reads it again), then the names.
 */
export function readDirRecord(fd: number, now = Date.now()): DirRecord {
  const st = fs.fstatSync(fd);
  const ents = fs.readdirSync(`/proc/self/fd/${fd}`, { withFileTypes: true });
  ents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const kinds = new Uint8Array(ents.length);
  for (let i = 0; i < ents.length; i++) kinds[i] = kindOf(ents[i]);
  return {
    dev: st.dev,
    ino: st.ino,
    mtimeMs: st.mtimeMs,
    ctimeMs: st.ctimeMs,
    racy: now - st.ctimeMs < RACY_MS,
    names: ents.map((e) => e.name).join("/"),
    kinds,
  };
}

/**
 * Opens `rel` below the root descriptor one component at a time with O_NOFOLLOW: a component swapped for a
 * symlink fails (ELOOP/ENOTDIR) instead of leading out of the image. Undefined when it is gone or not a directory.
 */
export function openDirNoFollow(rootFd: number, rel: string): number | undefined {
  let fd = rootFd;
  for (const c of rel === "" ? [] : rel.split("/")) {
    let next: number;
    try {
      next = fs.openSync(`/proc/self/fd/${fd}/${c}`, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch {
      next = -1;
    }
    if (fd !== rootFd) fs.closeSync(fd);
    if (next < 0) return undefined;
    fd = next;
  }
  return fd === rootFd ? fs.openSync(`/proc/self/fd/${rootFd}`, O_RDONLY | O_DIRECTORY) : fd;
}

/** The directory records of one image tree, by path relative to the tree ("" is the root, "usr/lib" below). */
export type NameIndex = { root: string; dirs: Map<string, DirRecord> };

const g = globalThis as unknown as { rootimgNameIndexes?: Map<string, NameIndex> };
/** A few images at once; the least recently searched one is dropped first. */
const MAX_INDEXES = 4;

/** The index of the tree at `realRoot` (its realpath), kept in this process between searches. */
export function nameIndexFor(realRoot: string): NameIndex {
  const all = (g.rootimgNameIndexes ??= new Map());
  let idx = all.get(realRoot);
  if (idx) all.delete(realRoot);
  else idx = { root: realRoot, dirs: new Map() };
  all.set(realRoot, idx);
  while (all.size > MAX_INDEXES) all.delete(all.keys().next().value as string);
  return idx;
}

/** Drops the kept index of a tree (its tree was replaced or removed). */
export function forgetNameIndex(realRoot: string): void {
  g.rootimgNameIndexes?.delete(realRoot);
}
