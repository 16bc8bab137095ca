/**
 * Unpack an image's published archive into its workspace `<rootimgdir>/rootimg` (as the seed procedure
 * does), as a job with byte progress, under xCAT's image lock. An existing tree is never overwritten:
 * the caller chooses "use it as the workspace" or "replace it" (explicitly confirmed; the old tree is only
 * deleted after the new one is in place).
 */
import fs from "node:fs";
import path from "node:path";
import { unpackArchive } from "@/lib/archive/unpack-archive";
import { prisma } from "@/lib/db/client";
import { recordAudit } from "@/lib/audit/record-audit";
import { AppError } from "@/lib/errors";
import { startJob } from "@/lib/jobs/start-job";
import type { JobUser } from "@/lib/jobs/job-types";
import { acquireImageLock } from "@/lib/xcat/image-lock";
import { assertWritableDir, getImageContext, imageJobKey } from "./image-context";
import { setWorkspaceState } from "./workspace-state";

export type UnpackMode = "unpack" | "use-existing" | "replace";

export type UnpackImageOptions = { name: string; user: JobUser & {}; mode: UnpackMode; confirmReplace?: boolean };

export async function unpackImage(opts: UnpackImageOptions): Promise<{ jobId?: string; workspace: string }> {
  const ctx = await getImageContext(opts.name);
  const exists = fs.existsSync(ctx.tree);
  if (opts.mode === "use-existing") {
    if (!exists) throw new AppError("not_found", `${ctx.tree} does not exist; unpack the archive instead`);
    await setWorkspaceState(opts.name, "unpacked", opts.user.username);
    await prisma.$transaction((tx) => recordAudit(tx, { user: opts.user, action: "image.workspace.adopt", image: opts.name, target: ctx.tree, outcome: "ok" }));
    return { workspace: ctx.tree };
  }
  if (exists && opts.mode === "unpack")
    throw new AppError("conflict", `${ctx.tree} already exists (a tree genimage or an earlier unpack left). Use it as the workspace, or replace it (this deletes it).`, { details: { treeExists: true, tree: ctx.tree } });
  if (opts.mode === "replace" && exists && !opts.confirmReplace) throw new AppError("bad_request", `replacing ${ctx.tree} deletes it: confirm with confirmReplace=true`);
  if (!ctx.archive) throw new AppError("not_found", `no packed archive (rootimg.cpio.gz, ...) in ${ctx.rootimgdir}; nothing to unpack`);
  assertWritableDir(ctx.rootimgdir);
  const archive = ctx.archive;
  const jobId = await startJob({
    type: "image.unpack",
    user: opts.user,
    image: opts.name,
    unit: "bytes",
    total: fs.statSync(archive).size,
    key: imageJobKey(opts.name),
    params: { archive, tree: ctx.tree, mode: opts.mode },
    run: async (job) => {
      const lock = await acquireImageLock({ rootimgDir: ctx.tree });
      const aside = path.join(ctx.rootimgdir, `.rootimg.replaced-${job.jobId}`);
      await setWorkspaceState(opts.name, "unpacking");
      try {
        if (fs.existsSync(ctx.tree)) {
          // Only reachable with confirmReplace: move aside now, delete after success, restore on failure.
          await job.addTempPath(aside);
          fs.renameSync(ctx.tree, aside);
          job.log(`moved the existing tree aside to ${aside}`);
        }
        job.message(`unpacking ${path.basename(archive)}`);
        job.log(`unpacking ${archive} into ${ctx.tree}`);
        try {
          const r = await unpackArchive({ archive, dest: ctx.tree, signal: job.signal, onProgress: (p) => job.progress(p.bytesDone, p.bytesTotal) });
          for (const w of r.warnings) job.log(w, "stderr");
          job.log(`unpacked ${r.entries} entries (${r.bytes} bytes, ${r.format.label})`);
          await setWorkspaceState(opts.name, "unpacked", opts.user.username);
          await prisma.pendingChange.deleteMany({ where: { image: opts.name, changeSet: null } });
          return { entries: r.entries, bytes: r.bytes, format: r.format.label, tree: ctx.tree };
        } catch (e) {
          if (fs.existsSync(aside) && !fs.existsSync(ctx.tree)) fs.renameSync(aside, ctx.tree);
          await setWorkspaceState(opts.name, fs.existsSync(ctx.tree) ? "unpacked" : "packed");
          throw e;
        }
      } finally {
        lock.release();
      }
    },
  });
  return { jobId, workspace: ctx.tree };
}
