/**
 * Per image, what needs an approved change request: packing (default: free) and deploying to nodes that are
 * not test hosts (default: needs one). The decisions are pure functions of the facts (unit-tested); the
 * callers (lib/images/pack-image.ts, lib/deploy/start-deploy.ts) gather the facts through pack-gate.ts.
 */
import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import type { RequestState, Staleness } from "./state-machine";
import { type SideMeta, sameSide } from "./tree-side";

export type ReviewPolicyView = {
  image: string;
  packRequiresApproval: boolean;
  deployRequiresApproval: boolean;
  updatedBy: string | null;
  updatedAt: Date | null;
};

export const DEFAULT_POLICY = { packRequiresApproval: false, deployRequiresApproval: true } as const;

export async function getPolicy(image: string): Promise<ReviewPolicyView> {
  const row = await prisma.reviewPolicy.findUnique({ where: { image } });
  return row ?? { image, ...DEFAULT_POLICY, updatedBy: null, updatedAt: null };
}

/** Admins only (the route checks the role); audited with the change. */
export async function setPolicy(opts: {
  image: string;
  packRequiresApproval: boolean;
  deployRequiresApproval: boolean;
  user: { id: string; username: string };
}): Promise<ReviewPolicyView> {
  const data = {
    packRequiresApproval: opts.packRequiresApproval,
    deployRequiresApproval: opts.deployRequiresApproval,
    updatedBy: opts.user.username,
  };
  return prisma.$transaction(async (tx) => {
    const row = await tx.reviewPolicy.upsert({ where: { image: opts.image }, create: { image: opts.image, ...data }, update: data });
    await recordAudit(tx, {
      user: opts.user,
      action: "image.review-policy",
      image: opts.image,
      outcome: "ok",
      detail: { packRequiresApproval: row.packRequiresApproval, deployRequiresApproval: row.deployRequiresApproval },
    });
    return row;
  });
}

/** A change a pack would publish that the approved request does not hold as it is now. */
export type ExtraChange = { path: string; kind: string; why: "not-in-request" | "changed-since-approved" };

export type PackFacts = {
  image: string;
  policy: Pick<ReviewPolicyView, "packRequiresApproval">;
  /** the request the pack is made from, if any */
  request?: { id: number; image: string; state: RequestState; staleness: Staleness; items: { path: string; after: SideMeta | null }[] };
  /** what the tree holds now against the pristine image (what the pack would publish) */
  pending: { path: string; kind: string }[];
  /** the tree's side now of each pending path (null: removed) */
  current: Map<string, SideMeta | null>;
};

/** Throws the refusal (with what to do) when the pack may not run; returns the request id it records, if any. */
export function decidePack(f: PackFacts): number | undefined {
  const r = f.request;
  if (!r) {
    if (f.policy.packRequiresApproval)
      throw new AppError(
        "conflict",
        `Packing ${f.image} needs an approved change request (an admin's policy for this image). Submit the pending changes as a change request, have a reviewer approve it, then pack from the request.`,
        { details: { reason: "approval-required", image: f.image } },
      );
    return undefined;
  }
  if (r.image !== f.image)
    throw new AppError("unprocessable", `Change request #${r.id} is about ${r.image}, not ${f.image}.`, {
      details: { reason: "other-image" },
    });
  if (r.state !== "approved")
    throw new AppError(
      "conflict",
      `Change request #${r.id} is ${r.state.replace("_", " ")}, not approved: a reviewer must approve it before it is packed.`,
      { details: { reason: "not-approved", request: r.id, state: r.state } },
    );
  if (r.staleness.stale)
    throw new AppError(
      "conflict",
      `Change request #${r.id} is stale (${r.staleness.reason}): the author must update it and have it approved again before it is packed.`,
      { details: { reason: "stale", request: r.id, moved: r.staleness.reason } },
    );
  const approved = new Map(r.items.map((i) => [i.path, i.after]));
  const extra: ExtraChange[] = [];
  for (const p of f.pending) {
    if (!approved.has(p.path)) extra.push({ path: p.path, kind: p.kind, why: "not-in-request" });
    else if (!sameSide(approved.get(p.path) ?? null, f.current.get(p.path) ?? null))
      extra.push({ path: p.path, kind: p.kind, why: "changed-since-approved" });
  }
  if (extra.length) {
    const list = extra
      .map((e) => `${e.path} (${e.why === "not-in-request" ? `${e.kind}, not in the request` : "changed since it was approved"})`)
      .join(", ");
    throw new AppError(
      "conflict",
      `The pack would contain ${extra.length} change${extra.length === 1 ? "" : "s"} outside approved change request #${r.id}: ${list}. Revert ${extra.length === 1 ? "it" : "them"}, or update the request to include ${extra.length === 1 ? "it" : "them"} and have it approved again.`,
      { details: { reason: "unapproved-changes", request: r.id, extra } },
    );
  }
  return r.id;
}

export type DeployFacts = {
  image: string;
  policy: Pick<ReviewPolicyView, "deployRequiresApproval">;
  seq: number;
  /** kinds of the targets: test hosts never need approval */
  targets: { name: string; kind: "testhost" | "xcat" }[];
  /** the change request the version was packed from, with its state */
  request?: { id: number; state: RequestState } | null;
};

/** Throws the refusal when the deploy needs an approved request the version does not come from. */
export function decideDeploy(f: DeployFacts): void {
  const nodes = f.targets.filter((t) => t.kind !== "testhost").map((t) => t.name);
  if (!nodes.length || !f.policy.deployRequiresApproval) return;
  if (f.request && (f.request.state === "packed" || f.request.state === "deployed")) return;
  throw new AppError(
    "conflict",
    `Deploying ${f.image} version ${f.seq} to ${nodes.join(", ")} needs a version packed from an approved change request (an admin's policy for this image), and version ${f.seq} was not. Submit the changes as a change request, have it approved and pack it, then deploy that version; test hosts need no approval.`,
    { details: { reason: "approval-required", image: f.image, seq: f.seq, nodes } },
  );
}
