/**
 * At start-up (before any job runs): a confirmed replace the previous process did not finish is brought back
 * to a consistent state (replace-tree.ts). Before its commit the old tree is restored; the interrupted job's
 * log and the audit log say so, so the admin knows the replace did not happen and can start it again.
 */
import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";
import { pendingReplaceIds, type RecoverOutcome, recoverReplace } from "./replace-tree";

const SAY: Record<RecoverOutcome, string | null> = {
  restored:
    "the server stopped before the new tree was in place: the previous tree was restored at {tree}, unchanged; unpack again to replace it",
  committed: "the new tree was in place when the server stopped; the leftover old tree was removed",
  cleaned:
    "the server stopped while the archive was being unpacked beside the tree; the tree was not touched and the partial copy was removed",
  none: null,
};

export async function recoverReplacesAtStart(opts: {
  image: string;
  rootimgdir: string;
  log: (line: string) => void;
}): Promise<RecoverOutcome[]> {
  const outcomes: RecoverOutcome[] = [];
  for (const id of pendingReplaceIds(opts.rootimgdir)) {
    const outcome = await recoverReplace(opts.rootimgdir, id);
    outcomes.push(outcome);
    const text = SAY[outcome]?.replace("{tree}", `${opts.rootimgdir}/rootimg`);
    if (!text) continue;
    opts.log(`images: ${opts.image}: replace by job ${id}: ${text}`);
    const job = await prisma.job.findUnique({ where: { id } });
    await prisma.$transaction(async (tx) => {
      if (job) {
        const last = await tx.jobLog.findFirst({ where: { jobId: id }, orderBy: { seq: "desc" }, select: { seq: true } });
        await tx.jobLog.create({ data: { jobId: id, seq: (last?.seq ?? 0) + 1, stream: "stderr", line: `after restart: ${text}` } });
      }
      const user = job ? (job.ownerId ? { id: job.ownerId, username: job.ownerName } : { username: job.ownerName }) : null;
      await recordAudit(tx, {
        user,
        action: "image.unpack.recover",
        image: opts.image,
        target: `${opts.rootimgdir}/rootimg`,
        outcome: "ok",
        detail: { jobId: id, outcome, text },
      });
    });
  }
  return outcomes;
}
