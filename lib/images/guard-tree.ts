/**
 * Steps a protected tree out of the way of xCAT's own tools. A hand-run rh genimage takes xCAT's image lock
 * (the flock packimage and rmimage take too) and then copies the host's /dev into the tree and runs package
 * scriptlets and dracut in it: under nodev they cannot open those device nodes, not even as root. So while
 * another process holds that lock, the tree's nosuid,nodev is lifted; once the lock is free again (and the
 * tree is still there and still served) it is put back. genimage's own umount_chroot lazily unmounts every
 * mount under the tree at its end, the protection included: that is why the protection is re-applied
 * afterwards rather than merely re-flagged.
 *
 * Our own gate takes the same lock. Its holds are told apart by the open descriptor: the gate keeps the
 * locked file open for as long as it holds it, so a lock on a file this process has open is ours.
 *
 * Detection: a watch on the lock directory for the lock file's name (xCAT opens the file for writing and
 * writes its pid into it as it takes the lock), confirmed from /proc/locks; plus an unref'd periodic re-check,
 * faster while stepped aside, because a watch event can be missed and letting go of a lock makes none.
 */
import fs from "node:fs";
import path from "node:path";
import { defaultLockDir, lockPathFor, probeImageLock } from "@/lib/xcat/image-lock";
import { loosenTree, protectTree, type TreeProtection } from "./tree-mount";

export type GuardOptions = {
  /** the image's name: when given, each step is also written to the audit log as the system */
  image?: string;
  lockDir?: string;
  say?: (line: string) => void;
};

type Guard = {
  tree: string;
  lockFile: string;
  opts: GuardOptions;
  say: (line: string) => void;
  /** the outside holder's pid while stepped aside */
  aside: string | null;
  stopped: boolean;
  watcher?: fs.FSWatcher;
  timer?: NodeJS.Timeout;
  busy: Promise<void>;
};

const IDLE_MS = 5000;
const ASIDE_MS = 1000;
/** after a watch event: the file is opened (truncated) before the flock and written after it */
const BURST_MS = [0, 150, 1000];

// On globalThis: route bundles and server.ts load their own copies of this module.
const g = globalThis as unknown as { rootimgTreeGuards?: Map<string, Guard> };
const guards = (g.rootimgTreeGuards ??= new Map());

/** Starts guarding a tree the product serves (idempotent). */
export function guardTree(tree: string, opts: GuardOptions = {}): void {
  const key = path.resolve(tree);
  if (guards.has(key)) return;
  const lockDir = opts.lockDir ?? defaultLockDir();
  const guard: Guard = {
    tree: key,
    lockFile: lockPathFor(key, lockDir),
    opts: { ...opts, lockDir },
    say: opts.say ?? ((l) => console.log(l)),
    aside: null,
    stopped: false,
    busy: Promise.resolve(),
  };
  guards.set(key, guard);
  try {
    fs.mkdirSync(lockDir, { recursive: true });
    const name = path.basename(guard.lockFile);
    guard.watcher = fs.watch(lockDir, { persistent: false }, (_event, file) => {
      if (file === null || file === name) for (const ms of BURST_MS) setTimeout(() => queueCheck(guard), ms).unref();
    });
    guard.watcher.on("error", () => guard.watcher?.close()); // the periodic re-check still runs
  } catch (e) {
    guard.say(`${key}: cannot watch ${lockDir} (${(e as Error).message}); xCAT's lock is checked every ${IDLE_MS / 1000} s`);
  }
  queueCheck(guard);
}

/** Starts guarding when protectTree left the tree protected by a mount. */
export function guardIfProtected(r: TreeProtection, opts: GuardOptions = {}): void {
  if (r.state === "mounted" || r.state === "already") guardTree(r.tree, opts);
}

/** Stops guarding, after any step in progress: call before releasing, renaming or deleting the tree. */
export async function unguardTree(tree: string): Promise<void> {
  const guard = guards.get(path.resolve(tree));
  if (!guard) return;
  stop(guard);
  await guard.busy;
}

export async function unguardAllTrees(): Promise<void> {
  await Promise.all([...guards.keys()].map((t) => unguardTree(t)));
}

function stop(guard: Guard): void {
  guard.stopped = true;
  guard.watcher?.close();
  clearTimeout(guard.timer);
  if (guards.get(guard.tree) === guard) guards.delete(guard.tree);
}

function queueCheck(guard: Guard): void {
  if (guard.stopped) return;
  guard.busy = guard.busy.then(() => check(guard)).catch((e) => guard.say(`${guard.tree}: ${(e as Error).message}`));
}

async function check(guard: Guard): Promise<void> {
  if (guard.stopped) return;
  clearTimeout(guard.timer);
  try {
    // renamed or deleted behind our back: nothing left to serve
    if (!fs.existsSync(guard.tree)) return stop(guard);
    const holder = await outsideHolder(guard);
    if (guard.stopped) return;
    if (holder && !guard.aside) {
      await loosenTree(guard.tree);
      guard.aside = holder;
      const line = `${guard.tree}: nosuid,nodev released for genimage/packimage/rmimage (pid ${holder} holds xCAT's lock)`;
      guard.say(line);
      await audit(guard, "image.tree.release", { holder, text: line });
    } else if (!holder && guard.aside) {
      const was = guard.aside;
      guard.aside = null;
      const r = await protectTree(guard.tree);
      const ok = r.state === "mounted" || r.state === "already";
      const line = ok
        ? `${guard.tree}: nosuid,nodev protected again (xCAT's lock, held by pid ${was}, is free)`
        : `${guard.tree}: could not protect again (${r.detail ?? r.state}): local users can reach its setuid programs and device nodes`;
      guard.say(line);
      await audit(guard, "image.tree.protect", { holder: was, text: line }, ok ? "ok" : "error");
    }
  } finally {
    if (!guard.stopped) guard.timer = setTimeout(() => queueCheck(guard), guard.aside ? ASIDE_MS : IDLE_MS).unref();
  }
}

/** The pid written by another process that holds xCAT's lock on the tree exclusively, or null. */
async function outsideHolder(guard: Guard): Promise<string | null> {
  const probe = await probeImageLock({ rootimgDir: guard.tree, lockDir: guard.opts.lockDir });
  if (!probe.locked || holdsOpen(guard.lockFile)) return null;
  return probe.holder ?? "unknown";
}

/**
 * Does this process have the file open? The gate holds the lock through a descriptor it keeps open; nothing
 * else here keeps the lock file open.
 */
function holdsOpen(file: string): boolean {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) return false;
  for (const fd of fs.readdirSync("/proc/self/fd")) {
    const at = fs.statSync(`/proc/self/fd/${fd}`, { throwIfNoEntry: false });
    if (at && at.ino === st.ino && at.dev === st.dev) return true;
  }
  return false;
}

async function audit(guard: Guard, action: string, detail: Record<string, string>, outcome: "ok" | "error" = "ok"): Promise<void> {
  if (!guard.opts.image) return;
  try {
    // loaded only when auditing: the module itself needs no database
    const { prisma } = await import("@/lib/db/client");
    const { recordAudit } = await import("@/lib/audit/record-audit");
    await prisma.$transaction((tx) =>
      recordAudit(tx, { user: null, action, image: guard.opts.image, target: guard.tree, outcome, detail }),
    );
  } catch (e) {
    guard.say(`${guard.tree}: audit entry not written: ${(e as Error).message}`);
  }
}
