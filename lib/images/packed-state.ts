/**
 * After a publish, "pending changes" must mean "not in the archive nodes boot now": the packed tree's state
 * becomes the pristine manifest (only files changed since the last one are hashed again) and is kept with the
 * version, so a rollback can restore the matching one. The edits recorded so far are marked as packed.
 * Not cancellable: the archive is already published, and a manifest older than it would show published edits
 * as pending.
 * The version's kept manifest is written last: it marks the recording as complete, so start-up can tell a pack
 * whose recording was cut (reconcile-published.ts) and run this again.
 */
import { readManifest } from "@/lib/archive";
import { prisma } from "@/lib/db/client";
import type { JobContext } from "@/lib/jobs/job-types";
import { dropPristineStore } from "@/lib/review/pristine-store";
import { recordTreeManifest } from "./record-tree-manifest";
import { keepVersionManifest } from "./version-manifests";

export async function packedStateIsPristine(opts: {
  name: string;
  rootimgdir: string;
  tree: string;
  archive: string;
  seq: number;
  job: Pick<JobContext, "log" | "message">;
}): Promise<void> {
  const { job } = opts;
  job.message("recording the packed state as the new pristine state");
  let recorded: Awaited<ReturnType<typeof recordTreeManifest>> | undefined;
  try {
    const previous = await readManifest(opts.tree).catch(() => null);
    recorded = await recordTreeManifest({ tree: opts.tree, source: opts.archive, previous });
    // the published archive is now the pristine state: the copies kept of the one before are obsolete
    dropPristineStore(opts.tree);
  } catch (e) {
    // The archive is published either way; say why the pending changes still compare with the older state.
    job.log(
      `version ${opts.seq} is published, but its state could not be recorded (${(e as Error).message}); pending changes still compare with the earlier pristine state`,
      "stderr",
    );
  }
  await prisma.pendingChange.updateMany({ where: { image: opts.name, changeSet: null }, data: { changeSet: `pack:${opts.seq}` } });
  if (!recorded) return;
  keepVersionManifest({ rootimgdir: opts.rootimgdir, seq: opts.seq, tree: opts.tree });
  job.log(
    `pending changes now compare with version ${opts.seq}: ${recorded.entries} entries recorded (${recorded.filesHashed} files hashed, ${recorded.filesReused} unchanged)`,
  );
}
