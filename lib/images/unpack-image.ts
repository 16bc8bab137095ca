/**
 * Unpack an image's published archive into its workspace `<rootimgdir>/rootimg` (as the seed procedure
 * does), as a job with byte progress, holding the image gate exclusively (with xCAT's image lock). An existing tree is never overwritten:
 * the caller chooses "use it as the workspace" (adoptTree) or "replace it" (explicitly confirmed; replaceTree
 * deletes the old tree only once the new one is in place, and a crash at any step leaves it restorable).
 */
import fs from "node:fs";
import path from "node:path";
import { unpackArchive } from "@/lib/archive/unpack-archive";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import type { JobContext, JobUser } from "@/lib/jobs/job-types";
import { startJob } from "@/lib/jobs/start-job";
import { seedPristineLater } from "@/lib/review/pristine-store";
import { adoptTree } from "./adopt-tree";
import { guardIfProtected, unguardTree } from "./guard-tree";
import { assertWritableDir, getImageContext, type ImageContext } from "./image-context";
import { reserveExclusive } from "./image-gate";
import { recoverReplace, replaceTree } from "./replace-tree";
import { protectTreeAndSay, releaseTree } from "./tree-mount";
import { keepManifestOfLiveVersion } from "./version-manifests";
import { setWorkspaceState } from "./workspace-state";

export type UnpackMode = "unpack" | "use-existing" | "replace";
export type UnpackImageOptions = { name: string; user: JobUser & {}; mode: UnpackMode; confirmReplace?: boolean };

export async function unpackImage(opts: UnpackImageOptions): Promise<{ jobId?: string; workspace: string }> {
  const ctx = await getImageContext(opts.name);
  const exists = fs.existsSync(ctx.tree);
  if (opts.mode === "use-existing") {
    return adoptTree({ ctx, user: opts.user });
  }
  if (exists && opts.mode === "unpack")
    throw new AppError(
      "conflict",
      `${ctx.tree} already exists (a tree genimage or an earlier unpack left). Use it as the workspace, or replace it (this deletes it).`,
      { details: { treeExists: true, tree: ctx.tree } },
    );
  if (opts.mode === "replace" && exists && !opts.confirmReplace)
    throw new AppError("bad_request", `replacing ${ctx.tree} deletes it: confirm with confirmReplace=true`);
  if (!ctx.archive) throw new AppError("not_found", `no packed archive (rootimg.cpio.gz, ...) in ${ctx.rootimgdir}; nothing to unpack`);
  assertWritableDir(ctx.rootimgdir);
  const archive = ctx.archive;
  const hold = reserveExclusive(opts.name, { kind: exists ? "replace" : "unpack", user: opts.user, tree: ctx.tree });
  const jobId = await startJob({
    type: "image.unpack",
    user: opts.user,
    image: opts.name,
    unit: "bytes",
    total: fs.statSync(archive).size,
    hold,
    params: { archive, tree: ctx.tree, mode: opts.mode },
    run: async (job) => {
      await setWorkspaceState(opts.name, "unpacking");
      try {
        // a protected tree is a mount point, which cannot be moved aside: released first, protected again below
        await unguardTree(ctx.tree);
        if (fs.existsSync(ctx.tree)) await releaseTree(ctx.tree);
        // protected as soon as it is in place (the database work below and the old tree's deletion take a while)
        const protect = async () => {
          const r = await protectTreeAndSay(ctx.tree, (l, stream) => job.log(l, stream));
          guardIfProtected(r, { image: opts.name });
          return r;
        };
        const r = fs.existsSync(ctx.tree) ? await replaceJob(ctx, archive, job, protect) : await unpackInto(ctx.tree, archive, job);
        await protect();
        await setWorkspaceState(opts.name, "unpacked", opts.user.username);
        await prisma.pendingChange.deleteMany({ where: { image: opts.name, changeSet: null } });
        // The unpacked archive's state is the pristine state of its version (kept for a rollback to it).
        await keepManifestOfLiveVersion({ image: opts.name, rootimgdir: ctx.rootimgdir, archive, tree: ctx.tree });
        // small text files kept compressed: the pristine side of a file later changed outside Rootimg Studio
        seedPristineLater(ctx.tree, (l) => console.log(l));
        return r;
      } catch (e) {
        await setWorkspaceState(opts.name, fs.existsSync(ctx.tree) ? "unpacked" : "packed");
        throw e;
      } finally {
        if (fs.existsSync(ctx.tree))
          guardIfProtected(await protectTreeAndSay(ctx.tree, (l, stream) => job.log(l, stream)), { image: opts.name });
      }
    },
  });
  return { jobId, workspace: ctx.tree };
}

async function unpackInto(dest: string, archive: string, job: JobContext) {
  job.message(`unpacking ${path.basename(archive)}`);
  job.log(`unpacking ${archive} into ${dest}`);
  const r = await unpackArchive({ archive, dest, signal: job.signal, onProgress: (p) => job.progress(p.bytesDone, p.bytesTotal) });
  for (const w of r.warnings) job.log(w, "stderr");
  job.log(`unpacked ${r.entries} entries (${r.bytes} bytes, ${r.format.label})`);
  return { entries: r.entries, bytes: r.bytes, format: r.format.label, tree: dest };
}

/** Confirmed replace: the archive goes to a staged name first; any failure or cancel puts the old tree back. */
async function replaceJob(ctx: ImageContext, archive: string, job: JobContext, inPlace: () => Promise<unknown>) {
  let result: Awaited<ReturnType<typeof unpackInto>> | undefined;
  try {
    await replaceTree({
      rootimgdir: ctx.rootimgdir,
      id: job.jobId,
      log: (l) => job.log(l),
      inPlace,
      stage: async (dest) => {
        result = { ...(await unpackInto(dest, archive, job)), tree: ctx.tree };
      },
    });
  } catch (e) {
    const outcome = await recoverReplace(ctx.rootimgdir, job.jobId);
    if (outcome === "restored") job.log(`the replace did not complete: the previous tree is back at ${ctx.tree}`, "stderr");
    throw e;
  }
  return result!;
}
