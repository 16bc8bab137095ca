/**
 * Republish an earlier version (editors; audited in the same transaction as the version switch). The pristine
 * manifest follows the version (version-manifests.ts): pending changes become what that archive lacks. Holds
 * the image gate exclusively (with xCAT's lock): a save landing now would be compared with the wrong state.
 */
import fs from "node:fs";
import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";
import type { JobUser } from "@/lib/jobs/job-types";
import { room } from "@/lib/realtime/events";
import { emitTo } from "@/lib/realtime/io-registry";
import { dropPristineStore } from "@/lib/review/pristine-store";
import { getImageContext } from "./image-context";
import { withExclusive } from "./image-gate";
import { restoreVersionManifest, versionManifestPath } from "./version-manifests";
import { rollbackVersion } from "./versions";

export async function rollbackImage(opts: { name: string; seq: number; user: JobUser & {} }) {
  const ctx = await getImageContext(opts.name);
  return withExclusive(opts.name, { kind: "rollback", user: opts.user, tree: ctx.tree }, async () => {
    const treeExists = fs.existsSync(ctx.tree);
    const pristine = !treeExists
      ? "no workspace"
      : fs.existsSync(versionManifestPath(ctx.rootimgdir, opts.seq))
        ? "restored"
        : "kept: no state was recorded for this version";
    const row = await rollbackVersion({
      image: opts.name,
      rootimgdir: ctx.rootimgdir,
      seq: opts.seq,
      audit: (tx) =>
        recordAudit(tx, {
          user: opts.user,
          action: "image.rollback",
          image: opts.name,
          target: `version ${opts.seq}`,
          outcome: "ok",
          detail: { pristine },
        }),
    });
    if (pristine === "restored" && restoreVersionManifest({ rootimgdir: ctx.rootimgdir, seq: opts.seq, tree: ctx.tree })) {
      // the kept pristine copies belong to the state rolled away from
      dropPristineStore(ctx.tree);
      await remarkEdits(opts.name, opts.seq, row.packedAt);
    }
    emitTo(room.images(), "images:changed", { image: opts.name, reason: "rollback" });
    return row;
  });
}

/** Edits made after the version was packed are pending again; those made before are in it. */
async function remarkEdits(image: string, seq: number, packedAt: Date): Promise<void> {
  const ws = await prisma.workspace.findUnique({ where: { image } });
  const since = ws?.unpackedAt ? { gte: ws.unpackedAt } : {};
  await prisma.$transaction([
    prisma.pendingChange.updateMany({ where: { image, at: { ...since, gt: packedAt } }, data: { changeSet: null } }),
    prisma.pendingChange.updateMany({
      where: { image, changeSet: null, at: { ...since, lte: packedAt } },
      data: { changeSet: `pack:${seq}` },
    }),
  ]);
}
