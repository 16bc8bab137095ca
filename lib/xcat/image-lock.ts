/**
 * xCAT's image lock (docs/xcat-packimage.md, step 1): a non-blocking exclusive flock on
 * `/var/lock/xcat/<realpath(rootimg) with "/" → ".">.<md5_hex(realpath)>`, holding the holder's PID.
 * genimage, packimage and rmimage take the same lock, so they and Rootimg Studio exclude each other.
 *
 * Node has no flock(2): we open the file ourselves and let util-linux `flock -n <fd>` lock OUR open file
 * description (the child inherits it as fd 3). flock locks belong to the open file description, so the
 * lock stays held after the child exits, until we close the fd (or this process dies, as with xcatd).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { AppError } from "@/lib/errors";

export type ImageLock = { path: string; release: () => void };

const BUSY = 75;

export function defaultLockDir(): string {
  return process.env.ROOTIMG_XCAT_LOCK_DIR || "/var/lock/xcat";
}

/** realpath of the tree; a tree not yet created resolves through its parent like Perl's Cwd::realpath. */
export function realTreePath(rootimgDir: string): string {
  try {
    return fs.realpathSync(rootimgDir);
  } catch {
    // turbopackIgnore: a runtime path, not a project file (else the build traces the whole checkout)
    return path.join(fs.realpathSync(/* turbopackIgnore: true */ path.dirname(rootimgDir)), path.basename(rootimgDir));
  }
}

export function lockPathFor(rootimgDir: string, lockDir = defaultLockDir()): string {
  const real = realTreePath(rootimgDir);
  const md5 = createHash("md5").update(real).digest("hex");
  return path.join(lockDir, `${real.replaceAll("/", ".")}.${md5}`);
}

/**
 * Takes the lock without waiting, or throws 409 naming the holder's PID. `shared`: a shared flock, which any
 * number of Rootimg Studio writers hold together while xCAT's exclusive one (genimage, packimage, rmimage)
 * fails, as it does against our exclusive one.
 */
export async function acquireImageLock(opts: { rootimgDir: string; lockDir?: string; shared?: boolean }): Promise<ImageLock> {
  const lockDir = opts.lockDir ?? defaultLockDir();
  fs.mkdirSync(lockDir, { recursive: true });
  const file = lockPathFor(opts.rootimgDir, lockDir);
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  let code: number;
  try {
    code = await new Promise<number>((resolve, reject) => {
      const child = spawn("flock", [opts.shared ? "-s" : "-x", "-n", "-E", String(BUSY), "3"], { stdio: ["ignore", "ignore", "pipe", fd] });
      child.on("error", reject);
      child.on("close", (c) => resolve(c ?? 1));
    });
  } catch (e) {
    fs.closeSync(fd);
    throw new AppError("unavailable", `cannot run flock (util-linux) to take the image lock ${file}: ${(e as Error).message}`);
  }
  if (code !== 0) {
    fs.closeSync(fd);
    const holder = readHolder(file);
    if (code === BUSY)
      throw new AppError("conflict", lockBusyMessage(holder, realTreePath(opts.rootimgDir)), { details: { lockFile: file, holder } });
    throw new AppError("unavailable", `flock failed (exit ${code}) on ${file}`);
  }
  // Exactly what xCAT's acquire_lock writes: the holder's PID with no newline, because xCAT pastes the file's
  // content into its "failed to acquire lock ... process <pid> running on ..." message as is.
  fs.ftruncateSync(fd, 0);
  fs.writeSync(fd, String(process.pid), 0);
  let released = false;
  return {
    path: file,
    release() {
      if (released) return;
      released = true;
      fs.closeSync(fd);
    },
  };
}

/** PID written by the lock holder, or "unknown"; for showing who holds an image. */
export function readHolder(file: string): string {
  try {
    return parseHolder(fs.readFileSync(file, "utf8"));
  } catch {
    return "unknown";
  }
}

/** xCAT's text (Utils.pm acquire_lock_imageop) for a busy image lock; `holder` is pasted in as xCAT does. */
export function lockBusyMessage(holder: string, realRootimgDir: string): string {
  return `failed to acquire lock, seems there is another genimage/packimage/rmimage process ${holder} running on root image dir "${realRootimgDir}"`;
}

/** The holder's PID from a lock file's content: xCAT writes `1234`; other writers may end it with a newline. */
export function parseHolder(content: string): string {
  return content.trim().split(/\s+/)[0] || "unknown";
}

/**
 * Is the tree locked right now (by anyone, including us)? Read from /proc/locks, without taking the lock:
 * a probing flock, even a shared one for an instant, could make a concurrent packimage fail.
 */
export async function probeImageLock(opts: { rootimgDir: string; lockDir?: string }): Promise<{ locked: boolean; holder?: string }> {
  const file = lockPathFor(opts.rootimgDir, opts.lockDir ?? defaultLockDir());
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return { locked: false };
  }
  return isFlocked(st, fs.readFileSync("/proc/locks", "utf8")) ? { locked: true, holder: readHolder(file) } : { locked: false };
}

/**
 * Lines like `3: FLOCK  ADVISORY  WRITE 1234 fd:01:567890 0 EOF` (major:minor in hex, inode in decimal). Only
 * exclusive (WRITE) locks count: genimage, packimage and rmimage take those, and so does Rootimg Studio for a pack
 * or an unpack; the shared (READ) one file changes hold for a moment is not "the image is locked".
 */
export function isFlocked(st: { dev: number; ino: number }, procLocks: string): boolean {
  const major = Math.floor(st.dev / 256) & 0xfff;
  const minor = (st.dev & 0xff) | (Math.floor(st.dev / 4096) & 0xfff00);
  const id = `${major.toString(16).padStart(2, "0")}:${minor.toString(16).padStart(2, "0")}:${st.ino}`;
  return procLocks.split("\n").some((l) => /\bFLOCK\s+ADVISORY\s+WRITE\b/.test(l) && l.split(/\s+/).includes(id));
}
