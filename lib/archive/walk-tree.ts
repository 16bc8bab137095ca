import { lstatSync, readdirSync, type Stats } from "node:fs";
import { availableParallelism } from "node:os";
import { ArchiveError } from "./errors.ts";
import type { EntryType } from "./types.ts";
import { type PackedSubtree, STAT_FIELDS, WalkWorkerError, walkSubtrees } from "./walk-workers.ts";

/**
 * The stat fields the archive core reads. `fs.Stats` has them all; walked entries keep only these (a retained
 * Stats object with its 14 fields and boxed numbers cost about 1 KB per entry with its entry, a third of that
 * without: at 200k entries the difference is ~130 MB of heap and seconds of GC).
 */
export interface EntryStat {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

export interface TreeEntry {
  /** "" for the root, else "etc/motd". */
  readonly rel: string;
  readonly abs: string;
  readonly st: EntryStat;
  readonly type: EntryType;
}

/** One class, so every walked stat shares one hidden class and holds exactly these fields. */
class CompactStat implements EntryStat {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  constructor(st: EntryStat) {
    this.dev = st.dev;
    this.ino = st.ino;
    this.mode = st.mode;
    this.nlink = st.nlink;
    this.uid = st.uid;
    this.gid = st.gid;
    this.rdev = st.rdev;
    this.size = st.size;
    this.mtimeMs = st.mtimeMs;
    this.ctimeMs = st.ctimeMs;
  }
  /** From the packed form a walk worker sends (walk-workers.ts: the fields in this order). */
  static fromArray(a: Float64Array, o: number): CompactStat {
    view.dev = a[o];
    view.ino = a[o + 1];
    view.mode = a[o + 2];
    view.nlink = a[o + 3];
    view.uid = a[o + 4];
    view.gid = a[o + 5];
    view.rdev = a[o + 6];
    view.size = a[o + 7];
    view.mtimeMs = a[o + 8];
    view.ctimeMs = a[o + 9];
    return new CompactStat(view);
  }
}
const view: EntryStat = { dev: 0, ino: 0, mode: 0, nlink: 0, uid: 0, gid: 0, rdev: 0, size: 0, mtimeMs: 0, ctimeMs: 0 };

/** A walked entry: its absolute path is derived from the walk's root when asked for, not stored per entry. */
class WalkedEntry implements TreeEntry {
  constructor(
    readonly rel: string,
    private readonly root: string,
    readonly st: EntryStat,
    readonly type: EntryType,
  ) {}
  get abs(): string {
    return this.rel === "" ? this.root : `${this.root}/${this.rel}`;
  }
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

/** Give the event loop a turn this often: a walk of a real image takes 0.1-0.5 s warm, seconds on a cold disk. */
const YIELD_MS = 20;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Below this many directories two levels down, worker start-up (~30 ms each) costs more than it saves. */
const MIN_SUBTREES = 8;
const TYPES: readonly EntryType[] = ["file", "dir", "symlink", "char", "block", "fifo", "socket"];

function checkName(name: string, dirAbs: string): void {
  if (name.includes("\uFFFD"))
    throw new ArchiveError(`file name in ${dirAbs} is not valid UTF-8 (${JSON.stringify(name)}); rename it before packing`);
}

/**
 * Lists a tree like `find . -xdev` (parents before children, root first) but in a deterministic order: names
 * sorted within each directory, so identical trees give identical archives. -xdev: a directory on another
 * filesystem is listed but not entered (bind mounts such as proc stay out of the image).
 *
 * Every entry is lstat'ed: that is the only way to know what changed on disk (edits made by hand on the
 * management node included), and it bounds the walk (~4-5 µs per entry here, two thirds of it in the kernel). The
 * calls are synchronous (a concurrent lstat walk through libuv measured slower). The first two levels are walked
 * here; when they hold enough directories, the subtrees below them are walked by `threads` worker threads (each
 * runs lstat/readdir back to back, the results come back packed), so the walk's wall time divides by the cores
 * and this thread stays free. Otherwise this thread walks them, with a pause every 20 ms so the server keeps
 * answering.
 */
export async function walkTree(root: string, opts: { xdev?: boolean; threads?: number } = {}): Promise<TreeEntry[]> {
  const rootSt = lstatSync(root);
  if (!rootSt.isDirectory()) throw new ArchiveError(`${root} is not a directory`);
  const xdev = opts.xdev !== false;
  const enter = (type: EntryType, st: Stats) => type === "dir" && (!xdev || st.dev === rootSt.dev);
  // The first two levels: entries in walk order, and for each directory to enter below them its subtree's slot.
  type Item = TreeEntry | { subtree: number };
  const head: Item[] = [new WalkedEntry("", root, new CompactStat(rootSt), "dir")];
  const subtrees: string[] = [];
  const level = (dirRel: string, depth: number) => {
    const dirAbs = dirRel ? `${root}/${dirRel}` : root;
    for (const name of readdirSync(dirAbs).sort()) {
      checkName(name, dirAbs);
      const rel = dirRel ? `${dirRel}/${name}` : name;
      const st = lstatSync(`${dirAbs}/${name}`);
      const type = typeOfStats(st);
      head.push(new WalkedEntry(rel, root, new CompactStat(st), type));
      if (!enter(type, st)) continue;
      if (depth === 0) level(rel, 1);
      else head.push({ subtree: subtrees.push(rel) - 1 });
    }
  };
  level("", 0);
  const threads = opts.threads ?? Math.min(4, Math.max(2, availableParallelism()));
  const out: TreeEntry[] = [];
  if (threads > 1 && subtrees.length >= MIN_SUBTREES) {
    let packed: PackedSubtree[];
    try {
      packed = await walkSubtrees({ root, subtrees, rootDev: rootSt.dev, xdev, threads });
    } catch (e) {
      if (e instanceof WalkWorkerError)
        throw e.archive ? new ArchiveError(e.message) : Object.assign(new Error(e.message), { code: e.code });
      throw e;
    }
    for (const item of head) {
      if (!("subtree" in item)) {
        out.push(item);
        continue;
      }
      const { paths, stats, types } = packed[item.subtree];
      for (let i = 0; i < paths.length; i++)
        out.push(new WalkedEntry(paths[i], root, CompactStat.fromArray(stats, i * STAT_FIELDS), TYPES[types[i]]));
      packed[item.subtree] = { paths: [], stats: new Float64Array(0), types: new Uint8Array(0) };
    }
    return out;
  }
  let yielded = Date.now();
  const visit = async (dirRel: string, dirAbs: string): Promise<void> => {
    const names = readdirSync(dirAbs).sort();
    for (const name of names) {
      checkName(name, dirAbs);
      const rel = `${dirRel}/${name}`;
      const abs = `${dirAbs}/${name}`;
      const st = lstatSync(abs);
      const type = typeOfStats(st);
      out.push(new WalkedEntry(rel, root, new CompactStat(st), type));
      if (enter(type, st)) await visit(rel, abs);
    }
    if (Date.now() - yielded >= YIELD_MS) {
      await turn();
      yielded = Date.now();
    }
  };
  for (const item of head) {
    if (!("subtree" in item)) out.push(item);
    else await visit(subtrees[item.subtree], `${root}/${subtrees[item.subtree]}`);
  }
  return out;
}
