/**
 * Captures the exact diff of pending changes at one moment: per path the kind, the fields, both sides'
 * metadata and hashes, and the bytes of text files (kept as snapshot blobs by the caller). What is captured is
 * what the request shows and what its approval covers; later edits of the tree never enter it.
 */
import { type PendingChangeEntry, pendingChangesOf } from "@/lib/changes/list-pending-changes";
import { AppError } from "@/lib/errors";
import { getImageTree } from "@/lib/files/image-tree";
import type { CommandSource } from "@/lib/files/recorded-edits";
import { readImageUsers } from "@/lib/image/image-users";
import { readPristine } from "@/lib/review/pristine-store";
import { isText, readTreeSide, type SideMeta, TEXT_SNAPSHOT_MAX } from "./tree-side";

export type CapturedItem = {
  path: string;
  kind: PendingChangeEntry["kind"];
  letter: string;
  fields?: string[];
  before: SideMeta | null;
  after: SideMeta | null;
  /** both sides (those that exist) are text small enough to keep */
  text: boolean;
  beforeText?: Buffer;
  afterText?: Buffer;
  source: { by: string[]; edits: number; commands: CommandSource[] };
};

/** The pending changes of `image` (only `paths` when given), captured now. */
export async function captureChanges(image: string, paths?: string[]): Promise<CapturedItem[]> {
  const pending = await pendingChangesOf(image);
  if (pending.state !== "unpacked")
    throw new AppError(
      "conflict",
      `${image} is ${pending.state}, not unpacked: a change request bundles the pending changes of an unpacked image.`,
      { details: { reason: "not-unpacked" } },
    );
  if (!pending.compared)
    throw new AppError(
      "conflict",
      `The changes of ${image} cannot be compared with its pristine image (${pending.error ?? "no manifest"}); unpack it again to review changes.`,
      { details: { reason: "not-compared" } },
    );
  let changes = pending.changes;
  if (paths?.length) {
    const want = new Set(paths);
    const missing = paths.filter((p) => !changes.some((c) => c.path === p));
    if (missing.length)
      throw new AppError(
        "unprocessable",
        `No pending change at ${missing.join(", ")} (reverted or already packed?): refresh the list of changes and pick again.`,
        { details: { reason: "not-pending", paths: missing } },
      );
    changes = changes.filter((c) => want.has(c.path));
  }
  if (!changes.length)
    throw new AppError("unprocessable", `${image} has no pending change to put in a request.`, { details: { reason: "nothing-pending" } });
  const tree = await getImageTree(image);
  // names as the image's own passwd and group give them now: the request keeps what its reviewer saw
  const users = readImageUsers(tree);
  const named = (m: SideMeta | null): SideMeta | null => {
    if (!m) return m;
    const owner = users.userById.get(m.uid);
    const group = users.groupById.get(m.gid);
    return { ...m, ...(owner !== undefined ? { owner } : {}), ...(group !== undefined ? { group } : {}) };
  };
  const out: CapturedItem[] = [];
  for (const c of changes) {
    const now = c.kind === "removed" ? null : readTreeSide(tree, c.path);
    const pristine = c.kind === "added" ? null : await readPristine(image, c.path);
    const before: SideMeta | null = pristine && {
      type: pristine.type,
      mode: pristine.mode,
      uid: pristine.uid,
      gid: pristine.gid,
      size: pristine.size,
      ...(pristine.sha256 ? { sha256: pristine.sha256 } : {}),
      ...(pristine.linkTarget !== undefined ? { linkTarget: pristine.linkTarget } : {}),
    };
    let beforeText: Buffer | undefined;
    if (pristine?.type === "file" && pristine.size <= TEXT_SNAPSHOT_MAX) {
      const buf = await pristine.content().catch(() => undefined); // not kept: the request shows hashes and sizes only
      if (buf && isText(buf)) beforeText = buf;
    }
    const afterText = now?.text;
    const text =
      (before === null || beforeText !== undefined) &&
      (now === null || afterText !== undefined) &&
      (beforeText !== undefined || afterText !== undefined);
    out.push({
      path: c.path,
      kind: c.kind,
      letter: c.letter,
      ...(c.fields ? { fields: c.fields } : {}),
      before: named(before),
      after: named(now?.meta ?? null),
      text,
      ...(text ? { beforeText, afterText } : {}),
      source: { by: c.by, edits: c.edits, commands: c.commands },
    });
  }
  return out;
}
