/**
 * Publish and record as one step: the published archive (`rootimg.*`, what nodes boot) and the version rows
 * must agree, even after a crash between the pack's rename and its recording, or a `packimage` run outside the
 * product. Run at start-up for every image and, when a listing notices the archive changed underneath, as a
 * background job. The archive is read only under the image gate's exclusive hold, which takes xCAT's image lock
 * (a packimage writes the archive in place while holding it).
 *
 * What is compared (docs/crash-consistency.md): the archive's inode, size and mtime against the live version's
 * kept hard link (same inode), its size, and when it was recorded; the archive is hashed only when those differ.
 * - a publish nobody recorded: if the last pack of this image did not succeed and started before the archive
 *   was written, it is that pack's publish: recorded as its version, attributed to its user and job, then its
 *   pristine state is recorded as the pack would have (pending edits marked packed), with a line in that job's
 *   log and an audit entry `image.pack.recover`. Otherwise it was published outside the product: recorded as a
 *   version "found on disk" (audit `image.version.found`); the pristine state stays as it was.
 * - a live version whose pack was cut before its pristine state was recorded (no kept manifest): recorded now.
 * - a rollback cut between its rename and its row: the version whose archive is published becomes live.
 * - a kept archive (`versions/<seq>-rootimg.*`) no row owns: adopted when it is the published archive (it is a
 *   version whose row was cut), else removed (retention or a rollback cut halfway); a kept manifest no row owns
 *   is removed. The log says which (audit `image.version.orphan`).
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { writeJsonAtomic } from "@/lib/archive/manifest";
import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";
import type { ImageVersion, Job } from "@/lib/db/generated/client";
import { AppError } from "@/lib/errors";
import { startJob } from "@/lib/jobs/start-job";
import { findPackedArchive } from "@/lib/xcat/packed-archive";
import { reserveExclusive, withExclusive } from "./image-gate";
import { packedStateIsPristine } from "./packed-state";
import { readXcatinfo } from "./read-xcatinfo";
import { versionManifestPath } from "./version-manifests";
import { recordVersion, versionsDir } from "./versions";

export type ReconcileEvent =
  | { kind: "orphan-adopted"; file: string }
  | { kind: "orphan-removed"; file: string }
  | { kind: "pack-recovered"; seq: number; jobId: string }
  | { kind: "pack-finished"; seq: number; jobId: string }
  | { kind: "rollback-recovered"; seq: number }
  | { kind: "found-on-disk"; seq: number }
  | { kind: "relinked"; seq: number };

const KEPT = /^(\d+)-(rootimg\.[a-z.]+)$/;
const KEPT_MANIFEST = /^manifest-(\d+)\.json$/;

function statOf(file: string): fs.Stats | undefined {
  return fs.statSync(file, { throwIfNoEntry: false });
}
const sameInode = (a: fs.Stats | undefined, b: fs.Stats | undefined) => !!a && !!b && a.ino === b.ino && a.dev === b.dev;

async function sha256(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of fs.createReadStream(file)) h.update(c as Buffer);
  return h.digest("hex");
}

/** The row's kept link is the published archive, unchanged since it was recorded (stats only, no read). */
function recordedAsIs(row: ImageVersion, archive: fs.Stats, rootimgdir: string): boolean {
  if (!sameInode(statOf(row.file), archive) || row.size !== archive.size) return false;
  return archive.mtimeMs <= row.packedAt.getTime() || checkedAs(rootimgdir, row.seq, archive);
}

/**
 * An archive whose mtime is later than its row (touched, or unpacked from a bundle made on a machine whose clock
 * ran ahead) is hashed once; its stats are then noted in the state directory, so it is not read again.
 */
const checkedFile = (rootimgdir: string) => path.join(rootimgdir, ".rootimg-studio", "published-checked.json");
function checkedAs(rootimgdir: string, seq: number, a: fs.Stats): boolean {
  try {
    const c = JSON.parse(fs.readFileSync(checkedFile(rootimgdir), "utf8")) as { seq: number; ino: number; size: number; mtimeMs: number };
    return c.seq === seq && c.ino === a.ino && c.size === a.size && c.mtimeMs === a.mtimeMs;
  } catch {
    return false;
  }
}
function noteChecked(rootimgdir: string, seq: number, a: fs.Stats): void {
  writeJsonAtomic(checkedFile(rootimgdir), { seq, ino: a.ino, size: a.size, mtimeMs: a.mtimeMs });
}

/**
 * Cheap enough for every listing (stats and one query, never a read of the archive): does the published archive
 * differ from what the live version records? False for an image without versions (see reconcilePublished).
 */
export async function publishedDiffersFromLive(image: string, rootimgdir: string): Promise<boolean> {
  const archive = findPackedArchive(rootimgdir);
  const st = archive && statOf(archive);
  if (!st) return false;
  const live = await prisma.imageVersion.findFirst({ where: { image, live: true } });
  return !!live && !recordedAsIs(live, st, rootimgdir);
}

/**
 * `holdArchive` runs its function under the image gate's exclusive hold (with xCAT's image lock); it is taken only
 * when the archive must be read (its stats differ from the live version's), so a start-up with nothing to do
 * spawns no flock.
 */
export async function reconcilePublished(o: {
  image: string;
  rootimgdir: string;
  tree: string;
  log: (line: string) => void;
  holdArchive: <T>(fn: () => Promise<T>) => Promise<T>;
}): Promise<ReconcileEvent[]> {
  const events: ReconcileEvent[] = [];
  const say = (line: string) => o.log(`images: ${o.image}: ${line}`);
  const archive = findPackedArchive(o.rootimgdir);
  const a = archive ? statOf(archive) : undefined;
  const rows = await prisma.imageVersion.findMany({ where: { image: o.image }, orderBy: { seq: "asc" } });
  // several rows share the inode after an in-place rewrite was recorded: the live (or newest) one speaks for it
  const owners = a ? rows.filter((r) => sameInode(statOf(r.file), a)) : [];
  const owner = owners.find((r) => r.live) ?? owners.at(-1);

  events.push(...(await sweepOrphans({ ...o, rows, archive: owner ? undefined : a, say })));
  if (!archive || !a) return events;

  if (owner && recordedAsIs(owner, a, o.rootimgdir)) {
    if (!owner.live) {
      await prisma.$transaction(async (tx) => {
        await tx.imageVersion.updateMany({ where: { image: o.image, live: true }, data: { live: false } });
        await tx.imageVersion.update({ where: { id: owner.id }, data: { live: true } });
        await recordAudit(tx, {
          user: null,
          action: "image.rollback.recover",
          image: o.image,
          target: archive,
          outcome: "ok",
          detail: { seq: owner.seq, text: "the published archive is this version's: a rollback was published but not recorded" },
        });
      });
      say(`the published archive is version ${owner.seq}'s (a rollback cut before it was recorded): version ${owner.seq} is live again`);
      events.push({ kind: "rollback-recovered", seq: owner.seq });
    }
  } else {
    // an image never versioned (genimage's, an xCAT image not packed here yet) gets its first version from its
    // first pack or import: nothing of ours went stale, and hashing every such archive would slow start-up
    if (!rows.length && !(await interruptedPackOf(o.image, archive, a))) return events;
    events.push(...(await o.holdArchive(() => recordPublished({ ...o, archive, rows, owner, say }))));
  }
  const finished = await finishCutRecording({ ...o, archive, say });
  if (finished) events.push(finished);
  return events;
}

/**
 * The published archive is not what the live version records: hash it (the caller holds xCAT's lock) and
 * record what it is.
 */
async function recordPublished(o: {
  image: string;
  rootimgdir: string;
  tree: string;
  archive: string;
  rows: ImageVersion[];
  owner?: ImageVersion;
  say: (l: string) => void;
}): Promise<ReconcileEvent[]> {
  const { archive, rows, owner, say } = o;
  const events: ReconcileEvent[] = [];
  // stat again: the archive may have been replaced while the lock was awaited
  const a = fs.statSync(archive);
  const hash = await sha256(archive);
  const twin = rows.find((r) => r.sha256 === hash && r.size === a.size && !sameInode(statOf(r.file), a));
  if (owner && owner.sha256 === hash) {
    // same inode and bytes, only its mtime moved (touch): nothing was published
    noteChecked(o.rootimgdir, owner.seq, a);
  } else if (twin) {
    // the same bytes under a new inode (a copy of a kept version put back by hand): that version is published
    relink(archive, twin.file);
    if (!twin.live) {
      await prisma.$transaction(async (tx) => {
        await tx.imageVersion.updateMany({ where: { image: o.image, live: true }, data: { live: false } });
        await tx.imageVersion.update({ where: { id: twin.id }, data: { live: true } });
      });
    }
    say(
      `the published archive is a copy of version ${twin.seq} (same SHA-256): version ${twin.seq} is live and its kept link now points at it`,
    );
    events.push({ kind: "relinked", seq: twin.seq });
  } else {
    const job = await interruptedPackOf(o.image, archive, a);
    const stampUuid = readXcatinfo(o.tree).IMAGEUUID;
    if (job) {
      const v = await recordVersion({
        image: o.image,
        archive,
        stampUuid,
        packedBy: job.ownerName,
        jobId: job.id,
        note: "published by this pack; recorded at start-up after the server stopped",
      });
      events.push({ kind: "pack-recovered", seq: v.seq, jobId: job.id });
    } else {
      // written in place on a kept inode (a packimage outside): that version's kept bytes are gone with it
      if (owner)
        await prisma.imageVersion.update({
          where: { id: owner.id },
          data: { sha256: null, note: `${owner.note ? `${owner.note}; ` : ""}its archive was overwritten in place outside Rootimg Studio` },
        });
      const v = await recordVersion({
        image: o.image,
        archive,
        stampUuid,
        packedBy: "unknown",
        note: "found on disk: published outside Rootimg Studio (packimage or a copy)",
      });
      const text = `the published ${path.basename(archive)} (${a.size} bytes, written ${a.mtime.toISOString()}) was not the live version's; recorded it as version ${v.seq}, found on disk`;
      await prisma.$transaction((tx) =>
        recordAudit(tx, {
          user: null,
          action: "image.version.found",
          image: o.image,
          target: archive,
          outcome: "ok",
          detail: { seq: v.seq, size: a.size, sha256: v.sha256, text },
        }),
      );
      say(text);
      events.push({ kind: "found-on-disk", seq: v.seq });
    }
  }
  return events;
}

/** Gives the kept name `kept` the inode of `archive` (same bytes), by a link to a temp name and a rename. */
function relink(archive: string, kept: string): void {
  // beside the versions folder (only kept archives live in it), same file system; swept at start-up if cut here
  const tmp = path.join(path.dirname(path.dirname(kept)), `relink.tmp-${process.pid}`);
  fs.rmSync(tmp, { force: true });
  fs.linkSync(archive, tmp);
  fs.renameSync(tmp, kept);
}

/**
 * Kept archives and manifests no row owns. `archive`: the published archive when no row owns it; a kept archive
 * with its inode is that version's link, made before the row was cut, and recordVersion links it again.
 */
async function sweepOrphans(o: {
  image: string;
  rootimgdir: string;
  rows: ImageVersion[];
  archive?: fs.Stats;
  say: (l: string) => void;
}): Promise<ReconcileEvent[]> {
  const dir = versionsDir(o.rootimgdir);
  if (!fs.existsSync(dir)) return [];
  const events: ReconcileEvent[] = [];
  const files = new Set(o.rows.map((r) => r.file));
  const seqs = new Set(o.rows.map((r) => r.seq));
  for (const f of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, f);
    const kept = KEPT.exec(f);
    const manifest = KEPT_MANIFEST.exec(f);
    if (kept && !files.has(file)) {
      const adopted = sameInode(statOf(file), o.archive);
      fs.rmSync(file, { force: true });
      const text = adopted
        ? `${f} in ${dir} is the published archive but no version owned it (its recording was cut); it is recorded as a version now`
        : `${f} in ${dir} belonged to no version (a retention or a rollback was cut); removed`;
      await prisma.$transaction((tx) =>
        recordAudit(tx, {
          user: null,
          action: "image.version.orphan",
          image: o.image,
          target: file,
          outcome: "ok",
          detail: { outcome: adopted ? "adopted" : "removed", text },
        }),
      );
      o.say(text);
      events.push({ kind: adopted ? "orphan-adopted" : "orphan-removed", file });
    } else if (manifest && !seqs.has(Number(manifest[1]))) {
      fs.rmSync(file, { force: true });
      o.say(`${f} in ${dir} belonged to no version; removed`);
      events.push({ kind: "orphan-removed", file });
    }
  }
  return events;
}

/** The last pack of the image, if it did not succeed and started before `archive` was last written. */
async function interruptedPackOf(image: string, archive: string, a: fs.Stats): Promise<Job | null> {
  const job = await prisma.job.findFirst({ where: { image, type: "image.pack" }, orderBy: { createdAt: "desc" } });
  if (!job || !["interrupted", "failed"].includes(job.state) || !job.startedAt || a.mtimeMs < job.startedAt.getTime()) return null;
  let params: { archive?: string; method?: string } = {};
  try {
    params = JSON.parse(job.params ?? "{}");
  } catch {}
  if (params.method !== "xcat" && params.archive !== archive) return null;
  return job;
}

/** A live version made by a pack that never finished, whose pristine state was not recorded: record it now. */
async function finishCutRecording(o: {
  image: string;
  rootimgdir: string;
  tree: string;
  archive: string;
  say: (l: string) => void;
}): Promise<ReconcileEvent | null> {
  const live = await prisma.imageVersion.findFirst({ where: { image: o.image, live: true } });
  if (!live?.jobId || fs.existsSync(versionManifestPath(o.rootimgdir, live.seq)) || !fs.existsSync(o.tree)) return null;
  const job = await prisma.job.findUnique({ where: { id: live.jobId } });
  if (job?.type !== "image.pack" || !["interrupted", "failed"].includes(job.state)) return null;
  const lines: string[] = [];
  await packedStateIsPristine({
    name: o.image,
    rootimgdir: o.rootimgdir,
    tree: o.tree,
    archive: o.archive,
    seq: live.seq,
    job: { log: (l) => lines.push(l), message: () => {} },
  });
  const text = `version ${live.seq} was published by this pack before the server stopped; it is recorded now (recovered at start-up)`;
  await prisma.$transaction(async (tx) => {
    const last = await tx.jobLog.findFirst({ where: { jobId: job.id }, orderBy: { seq: "desc" }, select: { seq: true } });
    let seq = last?.seq ?? 0;
    for (const line of [`after restart: ${text}`, ...lines.map((l) => `after restart: ${l}`)])
      await tx.jobLog.create({ data: { jobId: job.id, seq: ++seq, stream: "stderr", line } });
    const user = job.ownerId ? { id: job.ownerId, username: job.ownerName } : { username: job.ownerName };
    await recordAudit(tx, {
      user,
      action: "image.pack.recover",
      image: o.image,
      target: o.archive,
      outcome: "ok",
      detail: { jobId: job.id, seq: live.seq, text },
    });
  });
  o.say(`pack job ${job.id}: ${text}`);
  return { kind: "pack-finished", seq: live.seq, jobId: job.id };
}

/**
 * Start-up (before the server listens: nothing else runs): reconcile one image. The archive is read under the
 * image gate's exclusive hold, which takes xCAT's image lock; a busy lock (a packimage running) leaves the archive
 * to the next listing.
 */
export async function reconcileAtStart(o: { image: string; rootimgdir: string; log: (line: string) => void }): Promise<ReconcileEvent[]> {
  const tree = path.join(o.rootimgdir, "rootimg");
  try {
    return await reconcilePublished({
      ...o,
      tree,
      holdArchive: (fn) => withExclusive(o.image, { kind: "reconcile", user: null, tree, drain: "refuse" }, () => fn()),
    });
  } catch (e) {
    if (e instanceof AppError && e.code === "conflict")
      o.log(
        `images: ${o.image}: published archive not checked against its versions (${e.message}); it is checked when the images are next listed`,
      );
    else throw e;
    return [];
  }
}

const g = globalThis as unknown as { rootimgReconcileTried?: Map<string, number> };
const tried = (g.rootimgReconcileTried ??= new Map());
/** One background attempt per image at most this often, so a listing polled every few seconds stays cheap. */
const RETRY_MS = 60_000;

/**
 * For listings: when the published archive differs from the live version (stats only), reconcile it in a job
 * `image.reconcile` of its own (it may hash a large archive), holding the image exclusively with xCAT's lock.
 * Never while the image is `busy` (xCAT's lock held, a holder of the gate) and never making writers wait
 * (drain "refuse"): the next listing tries again.
 */
export function noticeChangedArchive(o: { image: string; rootimgdir: string; busy: boolean }): void {
  const now = Date.now();
  if (o.busy || now - (tried.get(o.image) ?? 0) < RETRY_MS) return;
  void (async () => {
    if (!(await publishedDiffersFromLive(o.image, o.rootimgdir))) return;
    tried.set(o.image, now);
    const tree = path.join(o.rootimgdir, "rootimg");
    const hold = reserveExclusive(o.image, { kind: "reconcile", user: null, tree, drain: "refuse" });
    await startJob({
      type: "image.reconcile",
      user: null,
      image: o.image,
      unit: "steps",
      hold,
      params: { reason: "the published archive differs from the live version" },
      run: async (job) => {
        job.message("comparing the published archive with the live version");
        // the job's hold already has the image and xCAT's lock
        const events = await reconcilePublished({
          image: o.image,
          rootimgdir: o.rootimgdir,
          tree,
          log: (l) => job.log(l),
          holdArchive: (fn) => fn(),
        });
        return { events };
      },
    });
  })().catch(() => {
    // the image is busy (409) or the database is: the next listing after RETRY_MS tries again
  });
}
