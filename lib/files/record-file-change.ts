import { recordAudit } from "@/lib/audit/record-audit";
import type { SessionUser } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";
import { withShared } from "@/lib/images/image-gate";
import { room } from "@/lib/realtime/events";
import { emitTo } from "@/lib/realtime/io-registry";
import { capturePristine } from "@/lib/review/pristine-store";
import { noteChangedPaths } from "./changed-paths";

/** PendingChange.kind values written by the file editor. */
export type FileChangeKind = "content" | "mode" | "owner" | "create" | "mkdir" | "symlink" | "rename" | "delete" | "upload" | "revert";

export type FileChangeInput = {
  user: SessionUser;
  image: string;
  kind: FileChangeKind;
  /** audit verb, e.g. file.save */
  action: string;
  /** canonical paths inside the image this change touched (the first is the subject) */
  paths: string[];
  detail?: Record<string, unknown>;
};

type Describe<T> = (r: T) => { paths: string[]; detail?: Record<string, unknown> };

/**
 * Runs a change on an image tree and records it. The PendingChange row is inserted FIRST, inside the
 * transaction, so SQLite's write lock is held before the disk is touched: if the database cannot take the
 * record (busy, full), nothing changes on disk; if the change fails, the transaction rolls back and an
 * audit row with outcome "error" is written instead. On success the row gets its final path and detail,
 * the audit row commits with it, and everyone in the room `image:<name>` is told which paths changed.
 * `streaming: true` (uploads) runs the change before the transaction: the write lock must not be held
 * while gigabytes arrive over the network.
 * The change is a shared holder of the image's gate (lib/images/image-gate.ts) while it runs: refused (409)
 * while a pack, unpack, command... holds or waits for the image, or while xCAT's lock is held elsewhere.
 */
export async function runFileChange<T>(
  input: Omit<FileChangeInput, "paths"> & {
    target: string;
    streaming?: boolean;
    /** the image's tree, as resolved by getImageTree */
    tree: string;
    /** other paths the change may replace or remove besides `target` (a rename's destination) */
    touches?: string[];
    /** false for a change that only puts pristine state back (a revert): nothing to keep first */
    keepPristine?: boolean;
  },
  change: () => T | Promise<T>,
  describe: Describe<T>,
): Promise<T> {
  const base = { image: input.image, kind: input.kind, userId: input.user.id, username: input.user.username };
  let result: T | undefined;
  let d: ReturnType<Describe<T>> | undefined;
  await withShared(input.image, { kind: input.kind, user: input.user, tree: input.tree }, async () => {
    try {
      // The review's pristine side: what the paths were before their first change through the product.
      if (input.keepPristine !== false) await capturePristine(input.tree, [input.target, ...(input.touches ?? [])]);
      if (input.streaming) result = await change();
      await prisma.$transaction(
        async (tx) => {
          const row = await tx.pendingChange.create({ data: { ...base, path: input.target } });
          if (!input.streaming) result = await change();
          d = describe(result as T);
          const detail = { ...input.detail, ...d.detail };
          await tx.pendingChange.update({
            where: { id: row.id },
            data: { path: d.paths[0] ?? input.target, detail: JSON.stringify({ ...detail, paths: d.paths }) },
          });
          await recordAudit(tx, {
            user: input.user,
            action: input.action,
            image: input.image,
            target: d.paths[0] ?? input.target,
            outcome: "ok",
            detail,
          });
        },
        { maxWait: 10_000, timeout: 60_000 },
      );
    } catch (e) {
      await prisma
        .$transaction((tx) =>
          recordAudit(tx, {
            user: input.user,
            action: input.action,
            image: input.image,
            target: input.target,
            outcome: "error",
            detail: { error: e instanceof Error ? e.message : String(e) },
          }),
        )
        .catch((err) => console.error("could not record the failed file change", err));
      throw e;
    }
  });
  const done = d as ReturnType<Describe<T>>;
  noteChangedPaths(input.image, done.paths);
  // a rename carries from/to so open tabs elsewhere can follow it; a delete's subject is paths[0]
  const moved =
    input.kind === "rename" && typeof done.detail?.from === "string" && typeof done.detail?.to === "string"
      ? { from: done.detail.from, to: done.detail.to }
      : {};
  const etag = typeof done.detail?.etag === "string" ? done.detail.etag : undefined;
  emitTo(room.image(input.image), "files:changed", { paths: done.paths, kind: input.kind, by: input.user.username, etag, ...moved });
  emitTo(room.images(), "images:changed", { image: input.image, reason: "files" });
  return result as T;
}
