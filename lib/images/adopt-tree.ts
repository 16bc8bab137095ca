/**
 * "Use the existing tree as the workspace" (a tree genimage or an earlier unpack left). A tree without a
 * pristine manifest gets one recorded, as a job with byte progress (hashing a real tree takes seconds), so the
 * diff and the changed marks work from this point on. A tree that already has one (an earlier unpack or
 * adoption) keeps it: re-recording would silently drop the pending changes it shows. Either way the tree is
 * protected like an unpacked one (lib/images/tree-mount.ts).
 */
import fs from "node:fs";
import { readManifest } from "@/lib/archive";
import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import type { JobUser } from "@/lib/jobs/job-types";
import { startJob } from "@/lib/jobs/start-job";
import { room } from "@/lib/realtime/events";
import { emitTo } from "@/lib/realtime/io-registry";
import { seedPristineLater } from "@/lib/review/pristine-store";
import { guardIfProtected } from "./guard-tree";
import type { ImageContext } from "./image-context";
import { reserveExclusive } from "./image-gate";
import { recordTreeManifest } from "./record-tree-manifest";
import { protectTreeAndSay } from "./tree-mount";
import { getWorkspace, setWorkspaceState, type WorkspaceState } from "./workspace-state";

export async function adoptTree(opts: { ctx: ImageContext; user: JobUser & {} }): Promise<{ jobId?: string; workspace: string }> {
  const { ctx, user } = opts;
  const name = ctx.image.imagename;
  if (!fs.existsSync(ctx.tree)) throw new AppError("not_found", `${ctx.tree} does not exist; unpack the archive instead`);
  const existing = await readManifest(ctx.tree).catch(() => null);
  if (existing) {
    await setWorkspaceState(name, "unpacked");
    await prisma.$transaction((tx) =>
      recordAudit(tx, {
        user,
        action: "image.workspace.adopt",
        image: name,
        target: ctx.tree,
        outcome: "ok",
        detail: { manifest: "kept", recordedAt: existing.createdAt },
      }),
    );
    emitTo(room.images(), "images:changed", { image: name, reason: "adopted" });
    guardIfProtected(await protectTreeAndSay(ctx.tree, (l) => console.log(l)), { image: name });
    return { workspace: ctx.tree };
  }
  // A save landing while the tree is hashed would be half in the manifest: the job holds the image alone.
  const hold = reserveExclusive(name, { kind: "adopt", user, tree: ctx.tree });
  const jobId = await startJob({
    type: "image.workspace.adopt",
    user,
    image: name,
    unit: "bytes",
    hold,
    params: { tree: ctx.tree },
    run: async (job) => {
      const before = ((await getWorkspace(name))?.state ?? "packed") as WorkspaceState;
      await setWorkspaceState(name, "unpacking");
      try {
        job.message("recording the pristine state of the tree");
        job.log(`recording the pristine manifest of ${ctx.tree} (the diff and changed marks compare with it)`);
        const started = Date.now();
        const r = await recordTreeManifest({
          tree: ctx.tree,
          source: ctx.tree,
          signal: job.signal,
          onProgress: (d, t) => job.progress(d, t),
        });
        const ms = Date.now() - started;
        job.log(
          `recorded ${r.entries} entries, ${r.filesHashed} files hashed (${r.bytesHashed} bytes) in ${(ms / 1000).toFixed(1)} s: ${r.manifestPath}`,
        );
        // no archive holds this state: the small text files kept are the review's only pristine copy of them
        seedPristineLater(ctx.tree, (l) => console.log(l));
        await setWorkspaceState(name, "unpacked", user.username);
        return { tree: ctx.tree, entries: r.entries, filesHashed: r.filesHashed, bytesHashed: r.bytesHashed, ms, manifest: r.manifestPath };
      } catch (e) {
        await setWorkspaceState(name, before === "unpacking" || before === "packing" ? "packed" : before);
        throw e;
      } finally {
        // served from now on, like an unpacked tree: mounted nosuid,nodev while the image holds it alone
        guardIfProtected(await protectTreeAndSay(ctx.tree, (l, stream) => job.log(l, stream)), { image: name });
      }
    },
  });
  return { jobId, workspace: ctx.tree };
}
