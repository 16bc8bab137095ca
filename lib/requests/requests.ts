/**
 * Change requests: create (capture), update (recapture as a new revision), transitions, comments, reads.
 * Every state change goes through nextState (state-machine.ts), is audited (lib/audit) and written to the
 * request's timeline in one transaction, then announced in the `requests` room.
 */
import { recordAudit } from "@/lib/audit/record-audit";
import type { SessionUser } from "@/lib/auth/session";
import { prisma, type Tx } from "@/lib/db/client";
import type { ChangeRequest, ChangeRequestItem } from "@/lib/db/generated/client";
import { AppError, isAppError } from "@/lib/errors";
import { getImageTree } from "@/lib/files/image-tree";
import { room } from "@/lib/realtime/events";
import { emitTo } from "@/lib/realtime/io-registry";
import { getSecuritySettings } from "@/lib/security/security-settings";
import { mayReadSensitive, sensitiveCheck, sensitiveRefusal } from "@/lib/security/sensitive-files";
import { type CapturedItem, captureChanges } from "./capture";
import { putBlob } from "./snapshot-blobs";
import { type Actor, allowedActions, nextState, OPEN_STATES, type RequestAction, type RequestState, type Staleness } from "./state-machine";
import { readTreeSide, type SideMeta, sameSide } from "./tree-side";

export type RequestUser = Actor;

const parse = <T>(s: string | null): T | null => (s ? (JSON.parse(s) as T) : null);

async function notify(r: ChangeRequest, action: string, by: RequestUser | null): Promise<void> {
  emitTo(room.requests(), "requests:changed", {
    id: r.id,
    image: r.image,
    title: r.title,
    state: r.state,
    action,
    by: by?.username ?? "system",
    byId: by?.id ?? null,
    authorId: r.authorId,
    author: r.authorName,
  });
}

async function event(
  tx: Tx,
  r: { id: number; image: string },
  user: RequestUser | null,
  action: string,
  from: string | null,
  to: string | null,
  detail?: unknown,
): Promise<void> {
  await tx.changeRequestEvent.create({
    data: {
      requestId: r.id,
      userId: user?.id ?? null,
      username: user?.username ?? "system",
      action,
      fromState: from,
      toState: to,
      detail: detail === undefined ? null : JSON.stringify(detail),
    },
  });
  await recordAudit(tx, {
    user,
    action: `request.${action}`,
    image: r.image,
    target: `#${r.id}`,
    outcome: "ok",
    detail: { from, to, ...(detail && typeof detail === "object" ? detail : {}) },
  });
}

async function liveVersion(image: string) {
  return prisma.imageVersion.findFirst({ where: { image, live: true } });
}

async function storeItems(tx: Tx, requestId: number, revision: number, items: CapturedItem[]): Promise<void> {
  for (const it of items) {
    const beforeSha = it.beforeText ? await putBlob(it.beforeText, tx) : (it.before?.sha256 ?? null);
    const afterSha = it.afterText ? await putBlob(it.afterText, tx) : (it.after?.sha256 ?? null);
    await tx.changeRequestItem.create({
      data: {
        requestId,
        revision,
        path: it.path,
        kind: it.kind,
        letter: it.letter,
        fields: it.fields ? JSON.stringify(it.fields) : null,
        before: it.before ? JSON.stringify(it.before) : null,
        after: it.after ? JSON.stringify(it.after) : null,
        beforeSha,
        afterSha,
        text: it.text,
        source: JSON.stringify(it.source),
      },
    });
  }
}

export async function getRequestRow(id: number): Promise<ChangeRequest> {
  const r = await prisma.changeRequest.findUnique({ where: { id } });
  if (!r) throw new AppError("not_found", `Change request #${id} does not exist.`);
  return r;
}

/** Bundles the pending changes of `image` (or the listed paths) into a new request, submitted unless `draft`. */
export async function createRequest(opts: {
  image: string;
  title: string;
  description: string;
  paths?: string[];
  draft?: boolean;
  user: RequestUser;
}): Promise<ChangeRequest> {
  const items = await captureChanges(opts.image, opts.paths);
  const live = await liveVersion(opts.image);
  const state: RequestState = opts.draft ? "draft" : "submitted";
  const r = await prisma.$transaction(async (tx) => {
    const r = await tx.changeRequest.create({
      data: {
        image: opts.image,
        title: opts.title,
        description: opts.description,
        state,
        authorId: opts.user.id,
        authorName: opts.user.username,
        revision: 1,
        baseSeq: live?.seq ?? null,
        baseSha256: live?.sha256 ?? null,
        submittedAt: opts.draft ? null : new Date(),
      },
    });
    await storeItems(tx, r.id, 1, items);
    await event(tx, r, opts.user, "create", null, state, { revision: 1, paths: items.map((i) => i.path), baseSeq: r.baseSeq });
    return r;
  });
  await notify(r, "create", opts.user);
  return r;
}

/**
 * The author recaptures the request (the same paths, or `paths`) as a new revision: what changed since it was
 * submitted enters now, visibly; the earlier revisions and the comments on them are kept. A request that was
 * under review, refused or approved is submitted again.
 */
export async function updateRequest(opts: {
  id: number;
  user: RequestUser;
  paths?: string[];
  title?: string;
  description?: string;
}): Promise<ChangeRequest> {
  const r = await getRequestRow(opts.id);
  const to = await guarded(r, "update", opts.user);
  const prev = await prisma.changeRequestItem.findMany({ where: { requestId: r.id, revision: r.revision } });
  const paths = opts.paths ?? prev.map((i) => i.path);
  const items = await captureChanges(r.image, paths);
  const live = await liveVersion(r.image);
  const revision = r.revision + 1;
  const byPath = new Map(prev.map((i) => [i.path, i]));
  const changed = items
    .filter((i) => !byPath.has(i.path) || !sameSide(parse<SideMeta>(byPath.get(i.path)!.after), i.after))
    .map((i) => i.path);
  const dropped = prev.filter((p) => !items.some((i) => i.path === p.path)).map((p) => p.path);
  const out = await prisma.$transaction(async (tx) => {
    const u = await tx.changeRequest.update({
      where: { id: r.id },
      data: {
        revision,
        state: to,
        baseSeq: live?.seq ?? null,
        baseSha256: live?.sha256 ?? null,
        ...(opts.title ? { title: opts.title } : {}),
        ...(opts.description !== undefined ? { description: opts.description } : {}),
        ...(to === "submitted" ? { submittedAt: new Date() } : {}),
      },
    });
    await storeItems(tx, r.id, revision, items);
    await event(tx, u, opts.user, "update", r.state, to, { revision, changed, dropped, baseSeq: u.baseSeq });
    return u;
  });
  await notify(out, "update", opts.user);
  return out;
}

/** submit, approve, request_changes, abandon: one step of the state machine, with an optional comment. */
export async function transition(opts: {
  id: number;
  action: Extract<RequestAction, "submit" | "approve" | "request_changes" | "abandon">;
  user: RequestUser;
  comment?: string;
}): Promise<ChangeRequest> {
  const r = await getRequestRow(opts.id);
  const to = await guarded(r, opts.action, opts.user);
  const out = await prisma.$transaction(async (tx) => {
    const u = await tx.changeRequest.update({
      where: { id: r.id },
      data: { state: to, ...(opts.action === "submit" ? { submittedAt: new Date() } : {}) },
    });
    if (opts.comment?.trim())
      await tx.changeRequestComment.create({
        data: { requestId: r.id, revision: r.revision, body: opts.comment.trim(), authorId: opts.user.id, authorName: opts.user.username },
      });
    await event(tx, u, opts.user, opts.action, r.state, to, { revision: r.revision, ...(opts.comment?.trim() ? { comment: true } : {}) });
    return u;
  });
  await notify(out, opts.action, opts.user);
  return out;
}

/** nextState with the request's staleness; a refused attempt is audited as denied. */
async function guarded(r: ChangeRequest, action: RequestAction, user: RequestUser): Promise<RequestState> {
  try {
    return nextState(
      { state: r.state as RequestState, authorId: r.authorId, authorName: r.authorName },
      action,
      user,
      action === "approve" ? await stalenessOf(r) : undefined,
    );
  } catch (e) {
    if (isAppError(e))
      await prisma.$transaction((tx) =>
        recordAudit(tx, {
          user,
          action: `request.${action}`,
          image: r.image,
          target: `#${r.id}`,
          outcome: "denied",
          detail: { error: e.message, state: r.state },
        }),
      );
    throw e;
  }
}

/**
 * Stale: the published image moved (a repack or a rollback) since the current revision was captured, so what a
 * reviewer would approve is a diff against an image that is no longer there. Says what moved.
 */
export async function stalenessOf(r: Pick<ChangeRequest, "image" | "state" | "baseSeq">): Promise<Staleness> {
  if (!OPEN_STATES.includes(r.state as RequestState)) return { stale: false };
  const live = await liveVersion(r.image);
  if ((live?.seq ?? null) === r.baseSeq) return { stale: false };
  if (!live) return { stale: true, reason: `version ${r.baseSeq} it was captured against is no longer live` };
  const by = `${live.packedBy}, ${live.packedAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  if (r.baseSeq === null) return { stale: true, reason: `version ${live.seq} was published (${by}) after it was captured` };
  if (live.seq > r.baseSeq)
    return {
      stale: true,
      reason: `the image was repacked: version ${live.seq} (${by}) is live, the request was captured against version ${r.baseSeq}`,
    };
  return {
    stale: true,
    reason: `the image was rolled back: version ${live.seq} is live again, the request was captured against version ${r.baseSeq}`,
  };
}

export async function addComment(opts: { id: number; user: RequestUser; body: string; path?: string; line?: number; revision?: number }) {
  const r = await getRequestRow(opts.id);
  const revision = opts.revision ?? r.revision;
  if (revision < 1 || revision > r.revision)
    throw new AppError("unprocessable", `Change request #${r.id} has revisions 1 to ${r.revision}.`);
  if (opts.line !== undefined && !opts.path) throw new AppError("unprocessable", "A comment on a line names its file (path).");
  if (opts.path) {
    const item = await prisma.changeRequestItem.findUnique({
      where: { requestId_revision_path: { requestId: r.id, revision, path: opts.path } },
    });
    if (!item) throw new AppError("unprocessable", `${opts.path} is not part of revision ${revision} of change request #${r.id}.`);
    if (opts.line !== undefined) {
      const lines = await afterLineCount(item);
      if (lines === null)
        throw new AppError("unprocessable", `${opts.path} has no text diff in this request; comment on the file instead.`);
      if (opts.line < 1 || opts.line > lines)
        throw new AppError("unprocessable", `${opts.path} has ${lines} lines in revision ${revision}; line ${opts.line} does not exist.`);
    }
  }
  const c = await prisma.$transaction(async (tx) => {
    const c = await tx.changeRequestComment.create({
      data: {
        requestId: r.id,
        revision,
        path: opts.path ?? null,
        line: opts.line ?? null,
        body: opts.body,
        authorId: opts.user.id,
        authorName: opts.user.username,
      },
    });
    await recordAudit(tx, {
      user: opts.user,
      action: "request.comment",
      image: r.image,
      target: `#${r.id}`,
      outcome: "ok",
      detail: { revision, path: opts.path, line: opts.line },
    });
    return c;
  });
  await notify(r, "comment", opts.user);
  return c;
}

async function afterLineCount(item: ChangeRequestItem): Promise<number | null> {
  const { getBlob } = await import("./snapshot-blobs");
  if (!item.text) return null;
  if (!item.afterSha) return 0;
  const buf = await getBlob(item.afterSha);
  if (!buf) return null;
  const text = buf.toString("utf8");
  return text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

export type RequestItemView = {
  path: string;
  kind: string;
  letter: string;
  fields: string[];
  before: SideMeta | null;
  after: SideMeta | null;
  text: boolean;
  source: {
    by: string[];
    edits: number;
    commands: { id: string; kind: string; line: string; by: string; exitCode: number | null }[];
  } | null;
  /** the tree no longer holds what was captured (only for open requests of an unpacked image) */
  changedSince?: boolean;
};

function itemView(i: ChangeRequestItem): RequestItemView {
  return {
    path: i.path,
    kind: i.kind,
    letter: i.letter,
    fields: parse<string[]>(i.fields) ?? [],
    before: parse<SideMeta>(i.before),
    after: parse<SideMeta>(i.after),
    text: i.text,
    source: parse(i.source),
  };
}

/** One request with everything its page shows; `actions` are what `viewer` may do now. */
export async function getRequest(id: number, viewer: RequestUser) {
  const r = await getRequestRow(id);
  const [items, comments, events, staleness, packed] = await Promise.all([
    prisma.changeRequestItem.findMany({ where: { requestId: id }, orderBy: [{ revision: "asc" }, { path: "asc" }] }),
    prisma.changeRequestComment.findMany({ where: { requestId: id }, orderBy: { id: "asc" } }),
    prisma.changeRequestEvent.findMany({ where: { requestId: id }, orderBy: { id: "asc" } }),
    stalenessOf(r),
    prisma.imageVersion.findMany({ where: { image: r.image, changeId: String(id) }, select: { seq: true, live: true, packedAt: true } }),
  ]);
  const current = items.filter((i) => i.revision === r.revision).map(itemView);
  if (OPEN_STATES.includes(r.state as RequestState)) await markChangedSince(r.image, current);
  return {
    ...r,
    staleness,
    actions: allowedActions({ state: r.state as RequestState, authorId: r.authorId, authorName: r.authorName }, viewer, staleness),
    items: current,
    revisions: [...new Set(items.map((i) => i.revision))].map((rev) => ({
      revision: rev,
      items: items.filter((i) => i.revision === rev).map(itemView),
    })),
    comments,
    events: events.map((e) => ({ ...e, detail: parse<Record<string, unknown>>(e.detail) })),
    versions: packed,
  };
}

async function markChangedSince(image: string, items: RequestItemView[]): Promise<void> {
  let tree: string;
  try {
    tree = await getImageTree(image);
  } catch {
    return; // packed or gone: nothing to compare with
  }
  for (const it of items) {
    try {
      it.changedSince = !sameSide(it.after, readTreeSide(tree, it.path)?.meta ?? null);
    } catch {
      it.changedSince = true;
    }
  }
}

/** The two sides of a text item as captured, for the diff editor. */
export async function getItemContent(
  id: number,
  revision: number,
  path: string,
  user: SessionUser,
): Promise<{ before: string; after: string; path: string; revision: number }> {
  const { getBlob } = await import("./snapshot-blobs");
  const item = await prisma.changeRequestItem.findUnique({ where: { requestId_revision_path: { requestId: id, revision, path } } });
  if (!item) throw new AppError("not_found", `${path} is not part of revision ${revision} of change request #${id}.`);
  // the captured bytes of a sensitive file are as secret as the file: a viewer sees its metadata only
  if (!mayReadSensitive(user)) {
    const check = sensitiveCheck(await getSecuritySettings());
    for (const side of [item.before, item.after]) {
      const meta = side ? (JSON.parse(side) as SideMeta) : null;
      if (meta && check(path, { mode: meta.mode, uid: meta.uid, isFile: () => meta.type === "file" })) throw sensitiveRefusal(path);
    }
  }
  if (!item.text)
    throw new AppError("unprocessable", `${path} is not a text change in this request: its sizes and hashes are shown instead.`);
  const side = async (sha: string | null) => (sha ? ((await getBlob(sha))?.toString("utf8") ?? "") : "");
  return { path, revision, before: await side(item.before ? item.beforeSha : null), after: await side(item.after ? item.afterSha : null) };
}

export async function listRequests(opts: { image?: string; state?: string } = {}) {
  const rows = await prisma.changeRequest.findMany({
    where: { ...(opts.image ? { image: opts.image } : {}), ...(opts.state ? { state: opts.state } : {}) },
    orderBy: { id: "desc" },
    take: 200,
  });
  const counts = await prisma.changeRequestItem.groupBy({
    by: ["requestId", "revision"],
    where: { requestId: { in: rows.map((r) => r.id) } },
    _count: { _all: true },
  });
  const n = new Map(counts.map((c) => [`${c.requestId}:${c.revision}`, c._count._all]));
  return rows.map((r) => ({ ...r, state: r.state as RequestState, files: n.get(`${r.id}:${r.revision}`) ?? 0 }));
}

/**
 * What waits for `user`: as a reviewer (or admin), requests of others submitted for review; as an author, own
 * requests a reviewer sent back and own approved requests waiting to be packed.
 */
export async function waitingFor(user: RequestUser): Promise<{ review: number[]; own: number[] }> {
  const { hasRole } = await import("@/lib/auth/roles");
  const review = hasRole(user, "reviewer")
    ? await prisma.changeRequest.findMany({
        where: { state: "submitted", NOT: { authorId: user.id } },
        select: { id: true },
        orderBy: { id: "asc" },
      })
    : [];
  const own = await prisma.changeRequest.findMany({
    where: { authorId: user.id, state: { in: ["changes_requested", "approved"] } },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  return { review: review.map((r) => r.id), own: own.map((r) => r.id) };
}
