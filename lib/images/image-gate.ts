/**
 * The per-image gate: the one place that decides who may touch an image's tree or published archive now.
 *
 * - Exclusive holders (unpack, pack, rollback, adoption, replace, delete, import, chroot command, shell) are
 *   alone on the image: no other exclusive holder and no shared one. They take xCAT's image lock too, so a
 *   hand-run genimage/packimage/rmimage and the product never overlap.
 * - Shared holders (file saves, uploads, creates, renames, deletes, attribute changes, and exports, which read
 *   the published archive) run side by side. While any is in, the image's xCAT lock is held shared, so packimage
 *   refuses instead of archiving half a write (or rewriting the archive being exported); while packimage holds
 *   it, they are refused.
 * - Check and reserve are one synchronous call (`reserveExclusive`, `enterShared`): no caller can get between
 *   them, whatever it awaits before or after.
 * - Fairness: from the moment an exclusive holder is reserved, new shared holders are refused with a message
 *   naming it, and it waits (bounded) for the ones already in. A stream of saves cannot starve a pack.
 * - The exclusive holder is persisted (ImageHold row) while it holds, so start-up can say what a stopped server
 *   interrupted (`recoverHoldsAtStart`).
 *
 * State is per process, on globalThis: Next's route bundles and server.ts load separate copies of this module
 * and must share one gate.
 */
import { prisma } from "@/lib/db/client";
import { AppError, isAppError } from "@/lib/errors";
import { acquireImageLock, type ImageLock } from "@/lib/xcat/image-lock";
import { HOLDER_VERBS, sinceText, writerNoun } from "./gate-words";

export type GateUser = { id: string; username: string } | null;
export type ExclusiveKind = "unpack" | "pack" | "rollback" | "adopt" | "replace" | "delete" | "import" | "reconcile" | "command" | "shell";
/** The file changes of the editor (PendingChange.kind), and an export reading the published archive. */
export type SharedKind =
  | "content"
  | "mode"
  | "owner"
  | "create"
  | "mkdir"
  | "symlink"
  | "rename"
  | "delete"
  | "upload"
  | "revert"
  | "export";

/** Who holds (or waits for) an image, as the UI shows it: "packing, started by alice 12 s ago". */
export type HolderInfo = { kind: string; user: string; jobId: string | null; since: string; detail?: string };
export type GateStatus = { image: string; exclusive: (HolderInfo & { state: "waiting" | "held" }) | null; shared: HolderInfo[] };

export type ExclusiveRequest = {
  kind: ExclusiveKind;
  user: GateUser;
  /** the image's tree `<rootimgdir>/rootimg` (xCAT's lock is keyed by its real path) */
  tree: string;
  /** take xCAT's image lock in ready() (default true) */
  xcatLock?: boolean;
  /** shared holders already in: "wait" for them (bounded, default) or "refuse" at once */
  drain?: "wait" | "refuse";
  /** what exactly holds it, in the user's words (a command's line), named in refusals and on the image page */
  detail?: string;
};
export type SharedRequest = { kind: SharedKind; user: GateUser; tree: string };

export interface ExclusiveHold {
  readonly image: string;
  readonly kind: ExclusiveKind;
  readonly since: Date;
  readonly jobId: string | null;
  /** Ties the hold to the job that runs under it (the job runner calls this). */
  attachJob(jobId: string): void;
  /** Waits for the shared holders already in (bounded), records the hold, then takes xCAT's lock. */
  ready(opts?: { signal?: AbortSignal; onWait?: (message: string) => void }): Promise<void>;
  /** Releases xCAT's lock while `fn` runs (packimage takes it itself) and takes it again after. */
  withoutXcatLock<T>(fn: () => Promise<T>): Promise<T>;
  /** Idempotent: xCAT's lock, the record and the image go free. */
  release(): Promise<void>;
}

export interface SharedHold {
  readonly image: string;
  /** Takes (or joins) the image's shared xCAT lock; 409 "xcat-locked" while another process holds it. */
  ready(): Promise<void>;
  /** Idempotent. */
  release(): void;
}

/** How long an exclusive holder waits for the shared holders already in before it gives up. */
export function drainTimeoutMs(): number {
  const n = Number(process.env.ROOTIMG_GATE_DRAIN_MS);
  return Number.isFinite(n) && n > 0 ? n : 30_000;
}

/**
 * A shared xCAT lock is kept this long after the last writer leaves: an editor saving every few seconds then
 * costs one `flock` process per burst, not one per save. An exclusive holder of this process drops it at once.
 */
const SHARED_LOCK_LINGER_MS = 1_000;

/** A holder's detail (a command line) is cut to this in messages. */
const DETAIL_MAX = 200;

type SharedEntry = { kind: SharedKind; user: string; since: Date };
type SharedLock = { refs: number; lock: Promise<ImageLock>; linger?: NodeJS.Timeout };
type ImageGate = {
  exclusive: Exclusive | null;
  shared: Map<SharedHoldImpl, SharedEntry>;
  drained: Set<() => void>;
  sharedLock: SharedLock | null;
};

const g = globalThis as unknown as { rootimgImageGate?: Map<string, ImageGate> };
const gates = (g.rootimgImageGate ??= new Map());

function gateOf(image: string): ImageGate {
  let s = gates.get(image);
  if (!s) {
    s = { exclusive: null, shared: new Map(), drained: new Set(), sharedLock: null };
    gates.set(image, s);
  }
  return s;
}

function forget(image: string, s: ImageGate): void {
  if (!s.exclusive && s.shared.size === 0 && !s.sharedLock && gates.get(image) === s) gates.delete(image);
}

/** "1 upload and 2 saves" for the shared holders of an image (empty when none). */
export function describeWriters(image: string): string {
  const counts = new Map<string, number>();
  for (const e of gates.get(image)?.shared.values() ?? []) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  const parts = [...counts].map(([k, n]) => `${n} ${writerNoun(k, n)}`);
  return parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}` : (parts[0] ?? "");
}

/** Every exclusive kind has its words (a kind added without them does not compile). */
const VERBS: Record<ExclusiveKind, string> = HOLDER_VERBS;

function busyError(image: string, x: Exclusive, what: string): AppError {
  const detail = x.detail ? ` "${x.detail}"` : "";
  const by = `${x.kind}${detail}${x.jobId ? ` (job ${x.jobId})` : ""} started by ${x.username} ${sinceText(x.since)}`;
  const message =
    x.state === "waiting"
      ? `Image ${image}: a ${by} is waiting for the writes in progress to finish; ${what} was not started so that it gets its turn. Retry when it has ended.`
      : `Image ${image} is ${VERBS[x.kind]} (${by}); ${what} was not started. Wait for it to finish, then retry.`;
  return new AppError("conflict", message, { details: { reason: "image-busy", image, holder: x.info(), waiting: x.state === "waiting" } });
}

function writersError(image: string, what: string, waitedMs?: number): AppError {
  const summary = describeWriters(image);
  const verb = /^1 [\w ]+$/.test(summary) ? "is" : "are";
  const waited = waitedMs ? ` after waiting ${Math.round(waitedMs / 1000)} s` : "";
  return new AppError(
    "conflict",
    `${summary} to image ${image} ${verb} still in progress${waited}; ${what} was not started. Wait for them to finish (see the upload panel), then retry.`,
    {
      details: { reason: "writes-in-progress", image, writers: sharedInfo(image), summary },
    },
  );
}

function xcatLockedError(image: string, e: unknown, outcome: string): unknown {
  if (!isAppError(e) || e.code !== "conflict") return e;
  const d = (e.details ?? {}) as { lockFile?: string; holder?: string };
  // xCAT's own wording first: it is what an xCAT admin searches for.
  return new AppError("conflict", `${e.message}; ${outcome}. Wait for that command to finish, then retry.`, {
    details: { reason: "xcat-locked", image, lockFile: d.lockFile ?? null, pid: d.holder ?? null },
    cause: e,
  });
}

function sharedInfo(image: string): HolderInfo[] {
  return [...(gates.get(image)?.shared.values() ?? [])].map((e) => ({
    kind: e.kind,
    user: e.user,
    jobId: null,
    since: e.since.toISOString(),
  }));
}

class Exclusive implements ExclusiveHold {
  state: "waiting" | "held" = "waiting";
  jobId: string | null = null;
  readonly since = new Date();
  readonly username: string;
  private lock: ImageLock | null = null;
  private released = false;
  private persisted: Promise<unknown> | null = null;

  constructor(
    readonly image: string,
    private readonly req: ExclusiveRequest,
  ) {
    this.username = req.user?.username ?? "system";
  }

  get kind(): ExclusiveKind {
    return this.req.kind;
  }

  get detail(): string | undefined {
    const d = this.req.detail;
    return d && d.length > DETAIL_MAX ? `${d.slice(0, DETAIL_MAX)}…` : d;
  }

  info(): HolderInfo {
    return {
      kind: this.kind,
      user: this.username,
      jobId: this.jobId,
      since: this.since.toISOString(),
      ...(this.detail ? { detail: this.detail } : {}),
    };
  }

  attachJob(jobId: string): void {
    this.jobId = jobId;
  }

  async ready(opts: { signal?: AbortSignal; onWait?: (message: string) => void } = {}): Promise<void> {
    if (this.released) throw new AppError("internal", `the ${this.kind} hold of ${this.image} was already released`);
    await this.drain(opts);
    this.state = "held";
    this.persisted = prisma.imageHold.upsert({
      where: { image: this.image },
      create: {
        image: this.image,
        kind: this.kind,
        userId: this.req.user?.id ?? null,
        username: this.username,
        jobId: this.jobId,
        since: this.since,
        pid: process.pid,
      },
      update: {
        kind: this.kind,
        userId: this.req.user?.id ?? null,
        username: this.username,
        jobId: this.jobId,
        since: this.since,
        pid: process.pid,
      },
    });
    await this.persisted;
    if (this.req.xcatLock !== false) await this.takeXcatLock();
  }

  private drain(opts: { signal?: AbortSignal; onWait?: (message: string) => void }): Promise<void> {
    const s = gateOf(this.image);
    if (s.shared.size === 0) return Promise.resolve();
    opts.onWait?.(`waiting for ${describeWriters(this.image)} to finish`);
    const limit = drainTimeoutMs();
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        s.drained.delete(done);
        opts.signal?.removeEventListener("abort", aborted);
      };
      const drained = () => {
        done();
        resolve();
      };
      const aborted = () => {
        done();
        reject(opts.signal?.reason ?? new Error("cancelled"));
      };
      const timer = setTimeout(() => {
        done();
        reject(writersError(this.image, `the ${this.kind}`, limit));
      }, limit);
      s.drained.add(drained);
      if (opts.signal?.aborted) aborted();
      else opts.signal?.addEventListener("abort", aborted, { once: true });
    });
  }

  private async takeXcatLock(): Promise<void> {
    try {
      this.lock = await acquireImageLock({ rootimgDir: this.req.tree });
    } catch (e) {
      throw xcatLockedError(this.image, e, `the ${this.kind} of image ${this.image} did not start`);
    }
    if (this.released) this.dropXcatLock();
  }

  private dropXcatLock(): void {
    this.lock?.release();
    this.lock = null;
  }

  async withoutXcatLock<T>(fn: () => Promise<T>): Promise<T> {
    const had = this.lock !== null;
    this.dropXcatLock();
    let result: T;
    try {
      result = await fn();
    } catch (e) {
      // fn's failure is the one to report; the lock is still taken back if it can be
      if (had && !this.released) await this.takeXcatLock().catch(() => {});
      throw e;
    }
    if (had && !this.released) await this.takeXcatLock();
    return result;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.dropXcatLock();
    const s = gateOf(this.image);
    if (s.exclusive === this) s.exclusive = null;
    forget(this.image, s);
    // Only our own row: another holder may have been reserved and recorded since.
    await this.persisted?.catch(() => {});
    if (this.persisted)
      await prisma.imageHold
        .deleteMany({ where: { image: this.image, since: this.since, pid: process.pid } })
        .catch((e) => console.error(`gate: the ${this.kind} hold of ${this.image} was not cleared`, e));
  }
}

class SharedHoldImpl implements SharedHold {
  private released = false;
  private locked = false;

  constructor(
    readonly image: string,
    private readonly tree: string,
    private readonly kind: SharedKind,
  ) {}

  async ready(): Promise<void> {
    const s = gateOf(this.image);
    if (!s.sharedLock) s.sharedLock = { refs: 0, lock: acquireImageLock({ rootimgDir: this.tree, shared: true }) };
    const held = s.sharedLock;
    clearTimeout(held.linger);
    held.refs++;
    this.locked = true;
    try {
      await held.lock;
    } catch (e) {
      if (s.sharedLock === held) s.sharedLock = null;
      this.locked = false;
      held.refs--;
      throw xcatLockedError(
        this.image,
        e,
        this.kind === "export" ? `the export of image ${this.image} did not start` : `the change to image ${this.image} was not made`,
      );
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    const s = gateOf(this.image);
    s.shared.delete(this);
    if (this.locked) unrefSharedLock(this.image, s);
    if (s.shared.size === 0) for (const f of [...s.drained]) f();
    forget(this.image, s);
  }
}

function unrefSharedLock(image: string, s: ImageGate): void {
  const held = s.sharedLock;
  if (!held || --held.refs > 0) return;
  const close = () => {
    if (s.sharedLock !== held || held.refs > 0) return;
    s.sharedLock = null;
    void held.lock.then(
      (l) => l.release(),
      () => {},
    );
    forget(image, s);
  };
  if (s.exclusive) close();
  else {
    held.linger = setTimeout(close, SHARED_LOCK_LINGER_MS);
    held.linger.unref();
  }
}

/**
 * Checks and reserves the image for an exclusive holder in one synchronous step. Throws 409 "image-busy" while
 * another exclusive holder holds or waits, and with `drain: "refuse"` 409 "writes-in-progress" while shared
 * holders are in. From the moment this returns, new shared holders are refused; call `ready()` before touching
 * anything, and `release()` in every outcome (startJob and withExclusive do both).
 */
export function reserveExclusive(image: string, req: ExclusiveRequest): ExclusiveHold {
  const s = gateOf(image);
  const what = `the ${req.kind}`;
  if (s.exclusive) throw busyError(image, s.exclusive, what);
  if (req.drain === "refuse" && s.shared.size > 0) throw writersError(image, what);
  const x = new Exclusive(image, req);
  // "waiting" while shared holders drain: the refusals say so, the holder has not started yet
  x.state = s.shared.size > 0 ? "waiting" : "held";
  s.exclusive = x;
  // A shared xCAT lock kept after the last writer would only make our own exclusive one fail.
  if (s.sharedLock && s.sharedLock.refs === 0) {
    s.sharedLock.refs = 1;
    unrefSharedLock(image, s);
  }
  return x;
}

/** reserve, ready, run `fn`, release (also when anything throws). */
export async function withExclusive<T>(
  image: string,
  req: ExclusiveRequest,
  fn: (hold: ExclusiveHold) => Promise<T>,
  opts: { signal?: AbortSignal } = {},
): Promise<T> {
  const hold = reserveExclusive(image, req);
  try {
    await hold.ready(opts);
    return await fn(hold);
  } finally {
    await hold.release();
  }
}

/** Checks and enters a shared holder in one synchronous step; 409 "image-busy" while an exclusive holder holds or waits. */
export function enterShared(image: string, req: SharedRequest): SharedHold {
  const s = gateOf(image);
  const what = `your ${writerNoun(req.kind)}`;
  if (s.exclusive) throw busyError(image, s.exclusive, what);
  const h = new SharedHoldImpl(image, req.tree, req.kind);
  s.shared.set(h, { kind: req.kind, user: req.user?.username ?? "system", since: new Date() });
  return h;
}

/** enter, ready, run `fn`, release (also when anything throws). */
export async function withShared<T>(image: string, req: SharedRequest, fn: () => T | Promise<T>): Promise<T> {
  const hold = enterShared(image, req);
  try {
    await hold.ready();
    return await fn();
  } finally {
    hold.release();
  }
}

/** Who holds or waits for `image` now, in this process. */
export function gateStatus(image: string): GateStatus {
  const s = gates.get(image);
  const x = s?.exclusive;
  return { image, exclusive: x ? { ...x.info(), state: x.state } : null, shared: sharedInfo(image) };
}

export type InterruptedHold = { image: string; kind: string; user: string; jobId: string | null; since: Date; pid: number };

/**
 * At start-up, before anything takes the gate: every recorded exclusive holder was interrupted by the stop of
 * the server that held it. Returns them (the caller logs and audits) and clears the records.
 */
export async function recoverHoldsAtStart(): Promise<InterruptedHold[]> {
  const rows = await prisma.imageHold.findMany({ orderBy: { since: "asc" } });
  const live = rows.filter((r) => gates.get(r.image)?.exclusive);
  const stale = rows.filter((r) => !live.includes(r));
  if (stale.length) await prisma.imageHold.deleteMany({ where: { image: { in: stale.map((r) => r.image) } } });
  return stale.map((r) => ({ image: r.image, kind: r.kind, user: r.username, jobId: r.jobId, since: r.since, pid: r.pid }));
}
