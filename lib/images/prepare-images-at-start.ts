/**
 * Start-up work for images, run by server.ts after interruptStaleJobs(): say which exclusive holders of the
 * image gate the stop interrupted, recover interrupted replaces and in-place writes, reconcile each published
 * archive with its versions, remove temp files a killed server left next to archives, in the state
 * directories and inside the trees, reset workspace states stuck in "packing"/"unpacking", and on the local backend create the demo
 * image once.
 */
import path from "node:path";
import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";
import { ensureDemoImage } from "@/lib/xcat/demo-image";
import { LocalBackend } from "@/lib/xcat/local-backend";
import { getBackend, localImagesDir } from "@/lib/xcat/select-backend";
import { recoverHoldsAtStart } from "./image-gate";
import { reconcileAtStart } from "./reconcile-published";
import { recoverReplacesAtStart } from "./recover-replaces-at-start";
import { recoverWritesAtStart } from "./recover-writes-at-start";
import { sweepImageTemps, sweepStateTemps, sweepTreeTemps } from "./sweep-image-temps";

export async function prepareImagesAtStart(log: (line: string) => void = console.log): Promise<void> {
  const backend = getBackend();
  log(`images: ${backend.kind} backend`);
  for (const h of await recoverHoldsAtStart()) {
    const job = h.jobId ? ` (job ${h.jobId}, marked interrupted)` : "";
    log(
      `images: ${h.image}: the ${h.kind} started by ${h.user} at ${h.since.toISOString()}${job} was interrupted when the server stopped; the image is free again`,
    );
    // A job's interruption is audited with the job; a rollback, delete or shell has no other record of it.
    if (!h.jobId)
      await prisma.$transaction((tx) =>
        recordAudit(tx, {
          user: { username: h.user },
          action: `image.${h.kind}`,
          image: h.image,
          outcome: "interrupted",
          detail: { since: h.since, pid: h.pid },
        }),
      );
  }
  if (backend instanceof LocalBackend && process.env.ROOTIMG_DEMO_IMAGE !== "0") {
    try {
      const r = await ensureDemoImage({ backend, imagesDir: localImagesDir(), log: (l) => log(`demo image: ${l}`) });
      if (r.created) log(`demo image created in ${r.dir}`);
    } catch (e) {
      // The dashboard is still useful without the demo (imports, xCAT images): say why and go on.
      log(`demo image not created: ${(e as Error).message}`);
    }
  }
  let images: { imagename: string; rootimgdir: string }[] = [];
  try {
    images = await backend.listImages();
  } catch (e) {
    log(`images: cannot list images (${(e as Error).message}); temp files not swept`);
  }
  for (const img of images) {
    try {
      await recoverReplacesAtStart({ image: img.imagename, rootimgdir: img.rootimgdir, log });
    } catch (e) {
      log(
        `images: ${img.imagename}: an interrupted replace could not be recovered (${(e as Error).message}); look at the .rootimg.replaced-* directory in ${img.rootimgdir}: it is the previous tree`,
      );
    }
    try {
      await recoverWritesAtStart({ image: img.imagename, tree: path.join(img.rootimgdir, "rootimg"), log });
    } catch (e) {
      log(
        `images: ${img.imagename}: an interrupted save or upload could not be finished (${(e as Error).message}); its journal and new content are kept in ${img.rootimgdir}/.rootimg-studio/rootimg/writes`,
      );
    }
    try {
      await reconcileAtStart({ image: img.imagename, rootimgdir: img.rootimgdir, log });
    } catch (e) {
      log(`images: ${img.imagename}: the published archive could not be checked against its versions (${(e as Error).message})`);
    }
    const removed = [...sweepImageTemps(img.rootimgdir, true), ...sweepStateTemps(img.rootimgdir, true)];
    if (removed.length) log(`images: removed ${removed.length} temp file(s) left in ${img.rootimgdir}: ${removed.join(", ")}`);
    try {
      const inTree = sweepTreeTemps(img.rootimgdir, true);
      if (inTree.length)
        log(
          `images: ${img.imagename}: removed ${inTree.length} temp file(s) of interrupted writes from inside the tree (partial copies the next pack would have published): ${inTree.join(", ")}`,
        );
    } catch (e) {
      log(
        `images: ${img.imagename}: the tree could not be swept for temp files (${(e as Error).message}); the pack refuses to publish any it finds`,
      );
    }
  }
  await prisma.workspace.updateMany({ where: { state: { in: ["packing", "unpacking"] } }, data: { state: "packed" } });
}
