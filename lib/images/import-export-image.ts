/** Import (bundle from an upload or a server path) and export, as jobs; admins only (checked at the route). */
import fs from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { activeJobs } from "@/lib/jobs/active-jobs";
import type { JobUser } from "@/lib/jobs/job-types";
import { startJob } from "@/lib/jobs/start-job";
import { room } from "@/lib/realtime/events";
import { emitTo } from "@/lib/realtime/io-registry";
import { findPackedArchive } from "@/lib/xcat/packed-archive";
import { getBackend } from "@/lib/xcat/select-backend";
import { withExclusive, withShared } from "./image-gate";
import { verifyBundleArchive } from "./verify-bundle-archive";
import { recordVersion } from "./versions";

export const exportsDir = () => path.join(env().dataDir, "exports");
export const uploadsDir = () => path.join(env().dataDir, "uploads");

export async function importImage(opts: { user: JobUser & {}; bundlePath: string; profile?: string; removeAfter?: boolean }) {
  const bundlePath = path.resolve(opts.bundlePath);
  if (!fs.existsSync(bundlePath) || !fs.statSync(bundlePath).isFile())
    throw new AppError("not_found", `bundle ${bundlePath} does not exist or is not a file`);
  const backend = getBackend();
  return startJob({
    type: "image.import",
    user: opts.user,
    unit: "steps",
    params: { bundle: bundlePath, profile: opts.profile ?? null, backend: backend.kind },
    run: async (job) => {
      if (opts.removeAfter) await job.addTempPath(bundlePath);
      // Before anything is registered: a bundle whose archive would fail at unpack is refused here.
      job.message("verifying the bundle's root image archive");
      await verifyBundleArchive({ bundlePath, tmpParent: path.join(env().dataDir, "tmp"), signal: job.signal, log: (l) => job.log(l) });
      job.message("importing");
      const r = await backend.importBundle({ bundlePath, profile: opts.profile, signal: job.signal, onLine: (l, s) => job.log(l, s) });
      const img = await backend.getImage(r.imagename);
      // The archive is linked and hashed under xCAT's lock, like every read of a published archive.
      await withExclusive(r.imagename, { kind: "import", user: opts.user, tree: path.join(img.rootimgdir, "rootimg") }, async () => {
        const archive = findPackedArchive(img.rootimgdir);
        if (archive) await recordVersion({ image: r.imagename, archive, packedBy: opts.user.username, jobId: job.jobId, note: "imported" });
      });
      // the job names no image (it is known only now), so the images list hears of it here
      emitTo(room.images(), "images:changed", { image: r.imagename, reason: "imported" });
      return { imagename: r.imagename, files: r.files };
    },
  });
}

/**
 * One export per image at a time: two would write the same `<name>.tgz`, and each would see the other's file
 * change under it. A pack meanwhile does not disturb an export: the bundle is made from hard links (or copies)
 * taken when it starts, and a pack publishes by renaming a new archive over the old one.
 */
const exporting = new Map<string, string>();

export async function exportImage(opts: { user: JobUser & {}; name: string }) {
  const backend = getBackend();
  const img = await backend.getImage(opts.name);
  const dir = exportsDir();
  fs.mkdirSync(dir, { recursive: true });
  const total = bundleInputBytes(img.rootimgdir, img.exlist);
  const running = exporting.get(opts.name);
  if (running) {
    throw new AppError("conflict", `Another job (${running}) is already running for an export of ${opts.name}; wait for it or cancel it.`, {
      details: { jobId: running },
    });
  }
  exporting.set(opts.name, "starting"); // reserved before the first await below
  let jobId: string;
  try {
    jobId = await startExportJob(opts, backend, dir, total, img.imagename, img.rootimgdir);
  } catch (e) {
    exporting.delete(opts.name);
    throw e;
  }
  exporting.set(opts.name, jobId);
  // Released when the job has ended, whichever way (also when it was cancelled before it ran).
  const active = activeJobs.get(jobId);
  if (active) void active.finished.finally(() => exporting.get(opts.name) === jobId && exporting.delete(opts.name));
  else exporting.delete(opts.name);
  return jobId;
}

function startExportJob(
  opts: { user: JobUser & {}; name: string },
  backend: ReturnType<typeof getBackend>,
  dir: string,
  total: number,
  imagename: string,
  rootimgdir: string,
) {
  return startJob({
    type: "image.export",
    user: opts.user,
    image: opts.name,
    unit: "bytes",
    total,
    params: { destDir: dir },
    run: async (job) => {
      // The bundle is a gzip'd tar of files that are mostly compressed already (the packed archive), so the
      // bundle being written grows to about the size of its inputs: its size is the progress, whichever
      // backend (or xCAT's imgexport) writes it.
      const started = Date.now();
      const timer = setInterval(() => {
        const size = growingBundleSize(dir, imagename, started);
        if (size > 0) job.progress(Math.min(size, total), total);
      }, 250);
      try {
        // Reads the published archive: a shared holder, so neither a pack nor a hand-run packimage rewrites it meanwhile.
        const tree = path.join(rootimgdir, "rootimg");
        const r = await withShared(opts.name, { kind: "export", user: opts.user, tree }, () =>
          backend.exportBundle({ name: opts.name, destDir: dir, signal: job.signal, onLine: (l, s) => job.log(l, s) }),
        );
        return { path: r.path, size: fs.statSync(r.path).size };
      } finally {
        clearInterval(timer);
      }
    },
  });
}

/** Bytes of what a bundle carries: the packed archive, kernel, initrd and the exlist files. */
function bundleInputBytes(rootimgdir: string, exlist?: string): number {
  const files = [
    findPackedArchive(rootimgdir),
    path.join(rootimgdir, "kernel"),
    path.join(rootimgdir, "initrd-stateless.gz"),
    ...(exlist ?? "").split(",").filter(Boolean),
  ];
  let sum = 0;
  for (const f of files) {
    try {
      if (f) sum += fs.statSync(f).size;
    } catch {
      // absent: not in the bundle either
    }
  }
  return Math.max(sum, 1);
}

/** The size of `<name>.tgz` or its temporary `<name>.tgz.part-*` in the exports directory, written since `since`. */
function growingBundleSize(dir: string, name: string, since: number): number {
  let best = 0;
  try {
    for (const f of fs.readdirSync(dir)) {
      if (f !== `${name}.tgz` && !f.startsWith(`${name}.tgz.`)) continue;
      const st = fs.statSync(path.join(dir, f), { throwIfNoEntry: false });
      if (st && st.mtimeMs >= since - 1000) best = Math.max(best, st.size);
    }
  } catch {
    // the directory is being written: try again at the next tick
  }
  return best;
}
