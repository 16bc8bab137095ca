import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";
import { parseTempPaths, removeTempPaths } from "./remove-temp-paths";

/**
 * Run once at start-up, before any job starts: a job still queued or running in the database belonged to a
 * process that died. Mark it interrupted and remove the temporary files it registered.
 */
export async function interruptStaleJobs(): Promise<number> {
  const stale = await prisma.job.findMany({ where: { state: { in: ["queued", "running"] } } });
  for (const job of stale) {
    const leftovers = await removeTempPaths(parseTempPaths(job.tempPaths));
    const error = "The server stopped while this job was running; start it again.";
    await prisma.$transaction(async (tx) => {
      await tx.job.update({
        where: { id: job.id },
        data: { state: "interrupted", error, finishedAt: new Date(), tempPaths: leftovers.length ? JSON.stringify(leftovers) : null },
      });
      const last = await tx.jobLog.findFirst({ where: { jobId: job.id }, orderBy: { seq: "desc" }, select: { seq: true } });
      await tx.jobLog.create({ data: { jobId: job.id, seq: (last?.seq ?? 0) + 1, stream: "stderr", line: `interrupted: ${error}` } });
      await recordAudit(tx, {
        user: job.ownerId ? { id: job.ownerId, username: job.ownerName } : { username: job.ownerName },
        action: job.type,
        image: job.image,
        node: job.node,
        outcome: "interrupted",
        detail: { jobId: job.id, removedTempPaths: parseTempPaths(job.tempPaths).length - leftovers.length },
      });
    });
  }
  return stale.length;
}
