/**
 * Pack an image's workspace and publish it atomically, keeping the previous archive as a version.
 * The job holds the image gate exclusively (image-gate.ts), with xCAT's image lock: the archive found before
 * the pack is read and kept as a version under that lock, so a packimage writing it cannot be recorded half-way.
 * "own" (default): the product's incremental pack (lib/archive packTree), written to a temp file and renamed
 * over `rootimg.<fmt>`. "xcat": runs packimage (xCAT backend only), streaming its output; packimage takes xCAT's
 * lock itself (the gate lends it for that time) and also changes the tree (docs/xcat-packimage.md), which the result notes.
 */
import fs from "node:fs";
import path from "node:path";
import { diffTree, prepareSpare, readManifest } from "@/lib/archive";
import { packTree } from "@/lib/archive/pack-tree";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import type { JobUser } from "@/lib/jobs/job-types";
import { startJob } from "@/lib/jobs/start-job";
import { checkPack, requestPacked } from "@/lib/requests/pack-gate";
import { findPackedArchive } from "@/lib/xcat/packed-archive";
import { assertWritableDir, getImageContext } from "./image-context";
import { reserveExclusive } from "./image-gate";
import { addedByPackingLines, packAdditions } from "./pack-additions";
import { packedStateIsPristine } from "./packed-state";
import { readXcatinfo } from "./read-xcatinfo";
import { recordVersion } from "./versions";
import { setWorkspaceState } from "./workspace-state";

export type PackMethod = "own" | "xcat";

export const PACKIMAGE_SIDE_EFFECTS =
  "packimage also changes the tree before archiving: it replaces rootimg/xcatpost, writes opt/xcat/xcatinfo, overwrites the root line of etc/shadow, sets etc/localtime from site.timezone and applies synclists (docs/xcat-packimage.md).";

/** `request`: the approved change request this pack publishes (recorded on the version; see lib/requests/policy.ts). */
export type PackImageOptions = { name: string; user: JobUser & {}; method?: PackMethod; full?: boolean; request?: number };

export async function packImage(opts: PackImageOptions): Promise<{ jobId: string }> {
  const ctx = await getImageContext(opts.name);
  const method = opts.method ?? "own";
  if (method === "xcat" && !ctx.backend.packWithXcat)
    throw new AppError("bad_request", "pack with xCAT needs the xCAT backend; this server uses the local registry");
  if (!fs.existsSync(ctx.tree)) throw new AppError("conflict", `${ctx.tree} does not exist: unpack the image first`);
  assertWritableDir(ctx.rootimgdir);
  const archive = ctx.archive && /rootimg\.(cpio\.(gz|xz))$/.test(ctx.archive) ? ctx.archive : path.join(ctx.rootimgdir, "rootimg.cpio.gz");
  // Refused at once (with what to do) when the review policy or the request does not allow it; checked again
  // under the hold below, where the tree can no longer change.
  await checkPack(opts.name, opts.request);
  const hold = reserveExclusive(opts.name, { kind: "pack", user: opts.user, tree: ctx.tree });
  const jobId = await startJob({
    type: "image.pack",
    user: opts.user,
    image: opts.name,
    unit: method === "own" ? "bytes" : "steps",
    hold,
    params: { method, archive, full: !!opts.full, ...(opts.request ? { request: opts.request } : {}) },
    run: async (job) => {
      const requestId = await checkPack(opts.name, opts.request, job.signal);
      const changeId = requestId === undefined ? undefined : String(requestId);
      await keepCurrentAsVersion(opts.name, job.log);
      await setWorkspaceState(opts.name, "packing");
      try {
        if (method === "xcat") {
          job.log(PACKIMAGE_SIDE_EFFECTS);
          job.message("running packimage");
          const r = await job.withoutXcatLock(() =>
            ctx.backend.packWithXcat!({ name: opts.name, signal: job.signal, onLine: (l, s) => job.log(l, s) }),
          );
          const published = findPackedArchive(ctx.rootimgdir);
          if (!published) throw new AppError("unavailable", `packimage succeeded but no rootimg.* appeared in ${ctx.rootimgdir}`);
          const v = await recordVersion({
            image: opts.name,
            archive: published,
            stampUuid: readXcatinfo(ctx.tree).IMAGEUUID,
            packedBy: opts.user.username,
            jobId: job.jobId,
            changeId,
            note: "packed with xCAT packimage",
          });
          if (requestId !== undefined) await requestPacked(requestId, v.seq, opts.user, job.jobId);
          await packedStateIsPristine({ name: opts.name, rootimgdir: ctx.rootimgdir, tree: ctx.tree, archive: published, seq: v.seq, job });
          return { archive: published, size: v.size, version: v.seq, method, warnings: r.warnings, note: PACKIMAGE_SIDE_EFFECTS };
        }
        // The tree is ours (the gate's hold, with xCAT's lock): nothing else writes it while we compare. On xCAT,
        // packing also adds what xCAT's tables say (postscripts, root's password, timezone, synclists), which may
        // have changed since the live version without any change to the tree: there, a pack always publishes.
        const same =
          opts.full || ctx.backend.packimageSettings
            ? null
            : await unchangedSinceLive({ name: opts.name, tree: ctx.tree, archive: ctx.archive, signal: job.signal });
        if (same !== null) {
          const message = `nothing changed since version ${same}: nothing was published (pack with "full" to publish anyway)`;
          job.log(message);
          return { unchanged: true, version: same, method, message };
        }
        job.message("reading what packimage would add");
        const additions = await packAdditions(ctx, (l, st) => job.log(l, st));
        job.message(`packing ${path.basename(archive)}`);
        const r = await packTree({
          tree: ctx.tree,
          archive,
          exlist: ctx.image.exlist,
          stamp: opts.name,
          ...additions,
          full: opts.full,
          signal: job.signal,
          onProgress: (p) => job.progress(p.bytesDone, p.bytesTotal),
        });
        for (const w of r.warnings) job.log(w, "stderr");
        // The review shows these from the job's result: in the archive, not in the tree.
        for (const line of addedByPackingLines(r.overlayChanges)) job.log(line);
        job.log(`published ${archive}: ${r.size} bytes, ${r.entries} entries, ${r.members} gzip members (${r.membersReused} reused)`);
        const v = await recordVersion({
          image: opts.name,
          archive,
          stampUuid: r.uuid,
          packedBy: opts.user.username,
          jobId: job.jobId,
          changeId,
        });
        if (requestId !== undefined) await requestPacked(requestId, v.seq, opts.user, job.jobId);
        await packedStateIsPristine({ name: opts.name, rootimgdir: ctx.rootimgdir, tree: ctx.tree, archive, seq: v.seq, job });
        // The next incremental pack starts from this copy of the new archive instead of copying it on its own path
        // (lib/archive pack-spare.ts). Outside the gate on purpose: it only reads a published (never rewritten)
        // file, and a pack that comes first just ignores an unfinished spare.
        void prepareSpare(archive).catch((e) => console.error(`pack of ${opts.name}: no spare copy for the next incremental pack`, e));
        return { archive, size: r.size, entries: r.entries, version: v.seq, stampUuid: r.uuid, method, addedByPacking: r.overlayChanges };
      } catch (e) {
        throw explainPackError(e, archive);
      } finally {
        await setWorkspaceState(opts.name, "unpacked");
      }
    },
  });
  return { jobId };
}

/**
 * The live version's number when the tree is exactly what that version holds (no pending change against the
 * pristine manifest, which is the state last published), else null. Packing it again would only add an
 * identical version and push a real one out of retention.
 */
async function unchangedSinceLive(opts: { name: string; tree: string; archive?: string; signal: AbortSignal }): Promise<number | null> {
  if (!opts.archive || !fs.existsSync(opts.archive)) return null;
  const live = await prisma.imageVersion.findFirst({ where: { image: opts.name, live: true } });
  if (!live || !fs.existsSync(live.file) || fs.statSync(live.file).ino !== fs.statSync(opts.archive).ino) return null;
  if (!(await readManifest(opts.tree).catch(() => null))) return null;
  const d = await diffTree({ tree: opts.tree, signal: opts.signal });
  return d.changes.length === 0 ? live.seq : null;
}

/**
 * An archive published before we ever packed (genimage/packimage, import) becomes a version too, so it can be
 * rolled back to. Runs under xCAT's lock (the pack's gate hold): a packimage cannot be writing it.
 */
async function keepCurrentAsVersion(image: string, log: (l: string) => void): Promise<void> {
  const ctx = await getImageContext(image);
  if (!ctx.archive) return;
  const live = await prisma.imageVersion.findFirst({ where: { image, live: true } });
  if (live && fs.existsSync(live.file) && fs.statSync(live.file).ino === fs.statSync(ctx.archive).ino) return;
  const v = await recordVersion({
    image,
    archive: ctx.archive,
    packedBy: "unknown",
    stampUuid: readXcatinfo(ctx.tree).IMAGEUUID,
    note: "archive found before this pack",
  });
  log(`kept the archive found in ${ctx.rootimgdir} as version ${v.seq}`);
}

function explainPackError(e: unknown, archive: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code ?? (e as { cause?: NodeJS.ErrnoException })?.cause?.code;
  if (code === "ENOSPC" || /ENOSPC|no space left/i.test(String((e as Error)?.message)))
    return new AppError(
      "unavailable",
      `No space left on device while packing; the published ${path.basename(archive)} is untouched and the temporary file was removed. Free space in ${path.dirname(archive)} and pack again.`,
      { cause: e },
    );
  return e;
}
