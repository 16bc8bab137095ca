/**
 * What pack and deploy ask of change requests: the facts for policy.ts's decisions, and the transitions a
 * pack (approved → packed) and a deploy (packed → deployed) make, on the request's timeline.
 */

import { recordAudit } from "@/lib/audit/record-audit";
import { pendingChangesOf } from "@/lib/changes/list-pending-changes";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { getImageTree } from "@/lib/files/image-tree";
import { room } from "@/lib/realtime/events";
import { emitTo } from "@/lib/realtime/io-registry";
import { decideDeploy, decidePack, getPolicy } from "./policy";
import { getRequestRow, stalenessOf } from "./requests";
import { nextState, type RequestState } from "./state-machine";
import { readTreeSide, type SideMeta } from "./tree-side";

/** Who packed or deployed: the pack and deploy routes already required their roles. */
type User = { id: string; username: string };

/**
 * Refuses a pack the policy or the request does not allow (the refusal says what to do), else returns the id
 * of the request the version will record. Run before the job starts (an answer at once) and again inside it,
 * under the image's exclusive hold, where nothing can change the tree any more.
 */
export async function checkPack(image: string, requestId: number | undefined, signal?: AbortSignal): Promise<number | undefined> {
  const policy = await getPolicy(image);
  if (requestId === undefined) return decidePack({ image, policy, pending: [], current: new Map() });
  const r = await getRequestRow(requestId);
  const items = await prisma.changeRequestItem.findMany({ where: { requestId, revision: r.revision } });
  const pending = await pendingChangesOf(image, signal);
  if (!pending.compared)
    throw new AppError(
      "conflict",
      `The tree of ${image} cannot be compared with its pristine image (${pending.error ?? "no manifest"}), so a pack from a change request cannot prove it holds only the approved changes.`,
      { details: { reason: "not-compared" } },
    );
  const tree = await getImageTree(image);
  const current = new Map<string, SideMeta | null>();
  for (const c of pending.changes) current.set(c.path, c.kind === "removed" ? null : (readTreeSide(tree, c.path)?.meta ?? null));
  return decidePack({
    image,
    policy,
    pending: pending.changes.map((c) => ({ path: c.path, kind: c.kind })),
    current,
    request: {
      id: r.id,
      image: r.image,
      state: r.state as RequestState,
      staleness: await stalenessOf(r),
      items: items.map((i) => ({ path: i.path, after: i.after ? (JSON.parse(i.after) as SideMeta) : null })),
    },
  });
}

async function move(
  requestId: number,
  action: "pack" | "deploy",
  user: User,
  detail: Record<string, unknown>,
  data: { packedSeq?: number } = {},
): Promise<void> {
  const r = await getRequestRow(requestId);
  // The state check is the machine's; the role was checked by the route that started the pack or deploy.
  const to = nextState({ state: r.state as RequestState, authorId: r.authorId, authorName: r.authorName }, action, {
    ...user,
    role: "editor",
  });
  const u = await prisma.$transaction(async (tx) => {
    const u = await tx.changeRequest.update({ where: { id: r.id }, data: { state: to, ...data } });
    await tx.changeRequestEvent.create({
      data: {
        requestId: r.id,
        userId: user.id,
        username: user.username,
        action,
        fromState: r.state,
        toState: to,
        detail: JSON.stringify(detail),
      },
    });
    await recordAudit(tx, {
      user,
      action: `request.${action}`,
      image: r.image,
      target: `#${r.id}`,
      outcome: "ok",
      detail: { from: r.state, to, ...detail },
    });
    return u;
  });
  emitTo(room.requests(), "requests:changed", {
    id: u.id,
    image: u.image,
    title: u.title,
    state: u.state,
    action,
    by: user.username,
    byId: user.id,
    authorId: u.authorId,
    author: u.authorName,
  });
}

/** The pack of an approved request published version `seq`. */
export function requestPacked(requestId: number, seq: number, user: User, jobId: string): Promise<void> {
  return move(requestId, "pack", user, { seq, jobId }, { packedSeq: seq });
}

/** Refuses a deploy the policy does not allow for this version and these targets. */
export async function checkDeploy(opts: {
  image: string;
  seq: number;
  changeId: string | null;
  targets: { name: string; kind: "testhost" | "xcat" }[];
}): Promise<void> {
  const policy = await getPolicy(opts.image);
  const id = opts.changeId ? Number(opts.changeId) : NaN;
  const r = Number.isInteger(id) ? await prisma.changeRequest.findUnique({ where: { id } }) : null;
  decideDeploy({
    image: opts.image,
    policy,
    seq: opts.seq,
    targets: opts.targets,
    request: r && { id: r.id, state: r.state as RequestState },
  });
}

/** Nodes booted a version packed from a request (their stamp matched): the request is deployed to them. */
export async function requestDeployed(opts: {
  changeId: string | null;
  seq: number;
  nodes: string[];
  jobId: string;
  user: User;
}): Promise<void> {
  const id = opts.changeId ? Number(opts.changeId) : NaN;
  if (!Number.isInteger(id)) return;
  const r = await prisma.changeRequest.findUnique({ where: { id } });
  if (!r || (r.state !== "packed" && r.state !== "deployed")) return;
  await move(id, "deploy", opts.user, { seq: opts.seq, nodes: opts.nodes, jobId: opts.jobId });
}
