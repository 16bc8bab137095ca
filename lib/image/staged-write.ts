/**
 * Where saves and uploads keep new content until it is in place, so that no temp file is ever left inside an
 * image tree and a file with several names is never left torn (docs/crash-consistency.md).
 *
 * Temp files live in the tree's state directory (`<rootimgdir>/.rootimg-studio/<tree>/writes/`), beside the tree
 * and on the same file system, so a rename from there into the tree is atomic. Only when the tree is a mount of
 * its own (another file system, or a bind mount: rename fails with EXDEV across mounts) is a temp file created
 * next to its target, as `.rootimg-write-<hex>`, and a record of it is written first so start-up removes it;
 * the pack refuses such names.
 *
 * A file with other hard links is rewritten on its own inode (a rename would split it from its other names).
 * Before its first byte changes, a journal entry `<id>.json` names the target (path, inode, ctime) and the
 * complete, fsynced new content `<id>.new`; start-up rolls it forward (the target's ctime moved: it may be
 * torn, so the new content is written again) or back (ctime unchanged: the target was never touched).
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { AppError } from "@/lib/errors";
import { isProductTempName } from "../archive/product-temps";
import { stateDirFor } from "../archive/state-dir";
import { restoreXattrs } from "./copy-xattrs";
import { openInRoot } from "./open-in-root";
import { type ResolvedPath, resolveInRoot } from "./resolve-in-root";

const { O_RDWR, O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY, O_WRONLY } = fs.constants;
const CHUNK = 1024 * 1024;
const fsyncAsync = promisify(fs.fsync);
const readAsync = promisify(fs.read);
const writeAsync = promisify(fs.write);

/** The directory of staged writes of the tree whose real path is `root`. */
export function writesDirFor(root: string): string {
  return path.join(stateDirFor(root), "writes");
}

export type StagedTemp = {
  at: string;
  fd: number;
  /** the record of a temp file created inside the tree (cross-device case), removed once it is placed */
  record?: string;
  /** set by writeInPlace when the temp file is the only complete copy of a half-applied write: keep it */
  keep?: boolean;
};

/**
 * Creates the temp file a save or upload writes its new content into, owned and moded like the file it becomes
 * (chown before chmod: chown clears setuid/setgid bits). `renameOnto`: the temp file will be renamed onto `r`, so
 * it must be on r's file system.
 */
export function stageTemp(r: ResolvedPath, o: { bytes?: Buffer; uid: number; gid: number; mode: number; renameOnto: boolean }): StagedTemp {
  const dir = writesDirFor(r.root);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const id = randomBytes(6).toString("hex");
  const t: StagedTemp = { at: path.join(dir, `${id}.new`), fd: -1 };
  if (o.renameOnto && !sameMount(dir, r.dirFd)) {
    const name = `.rootimg-write-${id}`;
    t.record = path.join(dir, `${id}.beside`);
    fs.writeFileSync(t.record, JSON.stringify({ dir: fs.readlinkSync(`/proc/self/fd/${r.dirFd}`), name }));
    t.at = `/proc/self/fd/${r.dirFd}/${name}`;
  }
  try {
    t.fd = fs.openSync(t.at, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    if (o.bytes) fs.writeSync(t.fd, o.bytes, 0, o.bytes.length, 0);
    fs.fchownSync(t.fd, o.uid, o.gid);
    fs.fchmodSync(t.fd, o.mode);
  } catch (e) {
    discardTemp(t);
    throw e;
  }
  return t;
}

/**
 * rename(2) and link(2) work only within one mount, not just one file system: a tree bind-mounted onto itself
 * (to protect it with nosuid, nodev) is another mount than its state directory. The kernel's mount id of an open
 * file is in /proc/self/fdinfo; the device number decides where that is unreadable.
 */
function sameMount(dir: string, dirFd: number): boolean {
  const fd = fs.openSync(dir, O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    if (fs.fstatSync(fd).dev !== fs.fstatSync(dirFd).dev) return false;
    const a = mountIdOf(fd);
    const b = mountIdOf(dirFd);
    return a === undefined || b === undefined || a === b;
  } finally {
    fs.closeSync(fd);
  }
}

function mountIdOf(fd: number): string | undefined {
  try {
    return /^mnt_id:\s*(\d+)$/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))?.[1];
  } catch {
    return undefined;
  }
}

/** Closes and removes a temp file that was not placed (and its record); one kept for recovery stays. */
export function discardTemp(t: StagedTemp): void {
  if (t.fd >= 0) fs.closeSync(t.fd);
  t.fd = -1;
  if (t.keep) return;
  fs.rmSync(t.at, { force: true });
  if (t.record) fs.rmSync(t.record, { force: true });
}

/** After the temp file was renamed or linked into place: its record is no longer needed. */
export function tempPlaced(t: StagedTemp): void {
  if (t.record) fs.rmSync(t.record, { force: true });
}

type JournalEntry = { v: 1; path: string; ino: number; ctimeNs: string; temp: string; size: number; xattrs: string | null };

/**
 * Writes the journal entry of an in-place write and makes it and the staged content durable (both fsyncs on the
 * libuv pool at once, then the directory's), so that from here on start-up can finish the write.
 */
export async function writeJournal(o: {
  r: ResolvedPath;
  ino: number;
  ctimeNs: bigint;
  temp: StagedTemp;
  size: number;
  xattrs: Buffer | null;
}): Promise<string> {
  const dir = path.dirname(o.temp.at);
  const file = path.join(dir, `${path.basename(o.temp.at, ".new")}.json`);
  const entry: JournalEntry = {
    v: 1,
    path: o.r.path,
    ino: o.ino,
    ctimeNs: String(o.ctimeNs),
    temp: o.temp.at,
    size: o.size,
    xattrs: o.xattrs?.toString("base64") ?? null,
  };
  const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL, 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(entry));
    await Promise.all([fsyncAsync(fd), fsyncAsync(o.temp.fd)]);
  } finally {
    fs.closeSync(fd);
  }
  await fsyncDir(dir);
  return file;
}

/** Removes a finished (or never started) write's journal entry, then its staged content. */
export function forgetJournal(journal: string, temp: string): void {
  fs.rmSync(journal, { force: true });
  fs.rmSync(temp, { force: true });
}

export type InPlaceStep = "journal" | "copy" | "truncate" | "xattrs" | "fsync" | "forget";

/**
 * Puts the new content on the target's inode: overwrite, cut to size, give back the extended attributes the
 * kernel drops on write (`security.capability`), fsync. Shared by the writer and the start-up roll-forward.
 */
export async function applyInPlace(o: {
  fd: number;
  size: number;
  bytes?: Buffer;
  fromFd?: number;
  xattrs: Buffer | null;
  what: string;
  step?: (s: InPlaceStep) => void;
}): Promise<void> {
  o.step?.("copy");
  if (o.bytes) fs.writeSync(o.fd, o.bytes, 0, o.bytes.length, 0);
  else if (o.fromFd !== undefined) await copyFd(o.fromFd, o.fd);
  o.step?.("truncate");
  fs.ftruncateSync(o.fd, o.size);
  o.step?.("xattrs");
  if (o.xattrs) await restoreXattrs({ fd: o.fd, dump: o.xattrs, what: o.what });
  o.step?.("fsync");
  await fsyncAsync(o.fd);
}

async function copyFd(from: number, to: number): Promise<void> {
  const buf = Buffer.allocUnsafe(CHUNK);
  for (let pos = 0; ; ) {
    const { bytesRead } = await readAsync(from, buf, 0, CHUNK, pos);
    if (bytesRead === 0) return;
    for (let off = 0; off < bytesRead; ) {
      const { bytesWritten } = await writeAsync(to, buf, off, bytesRead - off, pos + off);
      off += bytesWritten;
    }
    pos += bytesRead;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fd = fs.openSync(dir, O_RDONLY);
  try {
    await fsyncAsync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export type RecoveredWrite = {
  /** path inside the image */
  path: string;
  /** forward: the new content was written again; back: the target was never touched; gone: no name of that inode is left */
  outcome: "forward" | "back" | "gone";
  size: number;
};

/**
 * Start-up, before any request: finishes or drops every in-place write the previous process left in the writes
 * directory of the tree at `tree`, removes the in-tree temp files recorded there, and then everything else in
 * it (temp files of writes that never reached their journal). Returns what it did with each journal entry and
 * the other names it removed.
 */
export async function recoverWrites(tree: string): Promise<{ writes: RecoveredWrite[]; removed: string[] }> {
  const writes: RecoveredWrite[] = [];
  const removed: string[] = [];
  if (!fs.existsSync(tree)) return { writes, removed };
  const root = fs.realpathSync(tree);
  const dir = writesDirFor(root);
  if (!fs.existsSync(dir)) return { writes, removed };
  const journaled = new Set<string>();
  for (const f of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, f);
    if (f.endsWith(".json")) {
      const j = parseJournal(file);
      // an entry that does not parse was cut while being written: the target was not touched yet
      if (!j) continue;
      writes.push(await finishWrite(root, dir, j));
      journaled.add(file).add(path.join(dir, path.basename(j.temp)));
    } else if (f.endsWith(".beside")) {
      const inTree = besideTemp(file);
      if (inTree && fs.existsSync(inTree)) {
        fs.rmSync(inTree, { force: true });
        removed.push(inTree);
      }
    }
  }
  for (const f of fs.readdirSync(dir)) {
    fs.rmSync(path.join(dir, f), { recursive: true, force: true });
    if (!journaled.has(path.join(dir, f))) removed.push(path.join(dir, f));
  }
  return { writes, removed };
}

function parseJournal(file: string): JournalEntry | null {
  try {
    const j = JSON.parse(fs.readFileSync(file, "utf8")) as JournalEntry;
    return j.v === 1 && typeof j.path === "string" && typeof j.temp === "string" ? j : null;
  } catch {
    return null;
  }
}

/** The in-tree temp file a `.beside` record names, if the record is whole and names a product temp file. */
function besideTemp(file: string): string | null {
  try {
    const b = JSON.parse(fs.readFileSync(file, "utf8")) as { dir: string; name: string };
    return typeof b.dir === "string" && isProductTempName(b.name) && !b.name.includes("/") ? path.join(b.dir, b.name) : null;
  } catch {
    return null;
  }
}

async function finishWrite(root: string, dir: string, j: JournalEntry): Promise<RecoveredWrite> {
  // the staged content is found beside its entry, wherever rootimgdir is now
  const temp = path.join(dir, path.basename(j.temp));
  let where = j.path;
  let r = resolveTarget(root, where, j.ino);
  if (!r) {
    const other = findByInode(root, j.ino);
    if (other) r = resolveTarget(root, (where = other), j.ino);
  }
  const done = (outcome: RecoveredWrite["outcome"]): RecoveredWrite => ({ path: where, outcome, size: j.size });
  if (!r) return done("gone");
  try {
    const now = fs.lstatSync(r.at, { bigint: true });
    if (String(now.ctimeNs) === j.ctimeNs) return done("back");
    const src = fs.openSync(temp, O_RDONLY | O_NOFOLLOW);
    try {
      if (fs.fstatSync(src).size !== j.size) throw new AppError("internal", `the staged content of ${j.path} (${temp}) is incomplete`);
      const fd = openInRoot(r, O_WRONLY);
      try {
        await applyInPlace({ fd, size: j.size, fromFd: src, xattrs: j.xattrs ? Buffer.from(j.xattrs, "base64") : null, what: where });
      } finally {
        fs.closeSync(fd);
      }
    } finally {
      fs.closeSync(src);
    }
    return done("forward");
  } finally {
    r.close();
  }
}

/** The resolved path if it is still the journaled inode (a regular file), else undefined. */
function resolveTarget(root: string, p: string, ino: number): ResolvedPath | undefined {
  let r: ResolvedPath;
  try {
    r = resolveInRoot(root, p, { followFinal: false });
  } catch {
    return undefined;
  }
  const st = r.exists ? fs.lstatSync(r.at, { throwIfNoEntry: false }) : undefined;
  if (st?.isFile() && st.ino === ino) return r;
  r.close();
  return undefined;
}

/**
 * Another name of the journaled inode, when the journaled name was renamed or removed during the write (a rename
 * request does not wait for a save): a walk of the tree (-xdev), paid only in that rare case.
 */
function findByInode(root: string, ino: number): string | undefined {
  const dev = fs.lstatSync(root).dev;
  const stack = [""];
  while (stack.length) {
    const rel = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (!e.isDirectory() && !e.isFile()) continue;
      const st = fs.lstatSync(path.join(root, child), { throwIfNoEntry: false });
      if (!st || st.dev !== dev) continue;
      if (e.isDirectory()) stack.push(child);
      else if (st.ino === ino) return `/${child}`;
    }
  }
  return undefined;
}
