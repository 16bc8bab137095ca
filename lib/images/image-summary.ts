/** What the images list and the image page show about each image, gathered from disk and the database. */
import fs from "node:fs";
import path from "node:path";
import { prisma } from "@/lib/db/client";
import type { ImageBackend, OsImage } from "@/lib/xcat/image-backend";
import { probeImageLock } from "@/lib/xcat/image-lock";
import { findPackedArchive } from "@/lib/xcat/packed-archive";
import { getBackend } from "@/lib/xcat/select-backend";
import { getImageContext } from "./image-context";
import { type GateStatus, gateStatus } from "./image-gate";
import { noticeChangedArchive } from "./reconcile-published";
import { listVersions } from "./versions";

export type ImageSummary = Pick<OsImage, "imagename" | "osvers" | "osarch" | "profile" | "provmethod" | "rootimgdir"> & {
  archive: { name: string; format: string; size: number; mtime: string } | null;
  workspace: "packed" | "unpacking" | "unpacked" | "packing" | "missing";
  treeExists: boolean;
  pendingChanges: number;
  lock: { holder: string } | null;
  busy: GateStatus["exclusive"];
  writers: number;
  lastJob: { id: string; type: string; state: string; at: string } | null;
};

async function summarize(img: OsImage): Promise<ImageSummary> {
  const archive = findPackedArchive(img.rootimgdir);
  const st = archive ? fs.statSync(archive) : null;
  const tree = path.join(img.rootimgdir, "rootimg");
  const treeExists = fs.existsSync(tree);
  const [ws, pending, job, lock] = await Promise.all([
    prisma.workspace.findUnique({ where: { image: img.imagename } }),
    prisma.pendingChange.count({ where: { image: img.imagename, changeSet: null } }),
    prisma.job.findFirst({ where: { image: img.imagename }, orderBy: { createdAt: "desc" } }),
    fs.existsSync(img.rootimgdir) ? probeImageLock({ rootimgDir: tree }) : Promise.resolve({ locked: false as const, holder: undefined }),
  ]);
  const gate = gateStatus(img.imagename);
  // an archive published underneath (packimage outside, a restart that cut a pack's recording) is recorded
  if (archive) noticeChangedArchive({ image: img.imagename, rootimgdir: img.rootimgdir, busy: lock.locked || !!gate.exclusive });
  const state = ws?.state === "unpacking" || ws?.state === "packing" ? ws.state : treeExists ? "unpacked" : archive ? "packed" : "missing";
  return {
    imagename: img.imagename,
    osvers: img.osvers,
    osarch: img.osarch,
    profile: img.profile,
    provmethod: img.provmethod,
    rootimgdir: img.rootimgdir,
    archive:
      st && archive
        ? {
            name: path.basename(archive),
            format: path.basename(archive).replace(/^rootimg\./, ""),
            size: st.size,
            mtime: st.mtime.toISOString(),
          }
        : null,
    workspace: state,
    treeExists,
    pendingChanges: treeExists ? pending : 0,
    lock: lock.locked
      ? { holder: lock.holder === String(process.pid) ? `Rootimg Studio (pid ${process.pid})` : `pid ${lock.holder}` }
      : null,
    busy: gate.exclusive,
    writers: gate.shared.length,
    lastJob: job ? { id: job.id, type: job.type, state: job.state, at: job.createdAt.toISOString() } : null,
  };
}

export async function listImageSummaries(backend: ImageBackend = getBackend()): Promise<ImageSummary[]> {
  return Promise.all((await backend.listImages()).map(summarize));
}

export async function getImageDetail(name: string) {
  const ctx = await getImageContext(name);
  const summary = await summarize(ctx.image);
  const files = fs.existsSync(ctx.rootimgdir)
    ? fs
        .readdirSync(ctx.rootimgdir, { withFileTypes: true })
        .filter((d) => !d.name.startsWith("."))
        .map((d) => {
          const st = fs.lstatSync(path.join(ctx.rootimgdir, d.name));
          return {
            name: d.name,
            type: d.isDirectory() ? "dir" : d.isSymbolicLink() ? "symlink" : "file",
            size: st.size,
            mode: (st.mode & 0o7777).toString(8).padStart(4, "0"),
            mtime: st.mtime.toISOString(),
          };
        })
    : [];
  const versions = (await listVersions(name)).map((v) => ({
    seq: v.seq,
    format: v.format,
    size: v.size,
    sha256: v.sha256,
    stampUuid: v.stampUuid,
    packedBy: v.packedBy,
    packedAt: v.packedAt.toISOString(),
    live: v.live,
    note: v.note,
    jobId: v.jobId,
    changeId: v.changeId,
  }));
  return { ...summary, backend: ctx.backend.kind, attrs: ctx.image.attrs, files, versions };
}
