import { recordAudit } from "@/lib/audit/record-audit";
import type { SessionUser } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";
import { emitTo } from "@/lib/realtime/io-registry";
import { noteChangedPaths } from "./changed-paths";

/** PendingChange.kind values written by the file editor. */
export type FileChangeKind = "content" | "mode" | "owner" | "create" | "mkdir" | "symlink" | "rename" | "delete" | "upload";

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

/**
 * Runs a change on an image tree and records it: on success the audit row and the PendingChange row are
 * written in ONE transaction, and everyone in the room `image:<name>` is told which paths changed; on
 * failure an audit row with outcome "error" is written and the error rethrown.
 */
export async function runFileChange<T>(input: Omit<FileChangeInput, "paths"> & { target: string }, change: () => T | Promise<T>, describe: (r: T) => { paths: string[]; detail?: Record<string, unknown> }): Promise<T> {
  let result: T;
  try {
    result = await change();
  } catch (e) {
    await prisma.$transaction((tx) =>
      recordAudit(tx, { user: input.user, action: input.action, image: input.image, target: input.target, outcome: "error", detail: { error: e instanceof Error ? e.message : String(e) } }),
    );
    throw e;
  }
  const d = describe(result);
  const detail = { ...input.detail, ...d.detail };
  await prisma.$transaction(async (tx) => {
    await recordAudit(tx, { user: input.user, action: input.action, image: input.image, target: d.paths[0] ?? input.target, outcome: "ok", detail });
    await tx.pendingChange.create({
      data: { image: input.image, path: d.paths[0] ?? input.target, kind: input.kind, userId: input.user.id, username: input.user.username, detail: JSON.stringify({ ...detail, paths: d.paths }) },
    });
  });
  noteChangedPaths(input.image, d.paths);
  emitTo(`image:${input.image}`, "files:changed", { paths: d.paths, kind: input.kind, by: input.user.username, etag: detail.etag });
  return result;
}
