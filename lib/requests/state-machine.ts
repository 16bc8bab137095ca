/**
 * The life of a change request, as a pure table: which action moves a request from which state to which, and
 * who may take it. lib/requests/requests.ts applies it (with the audit row and the timeline event in the
 * same transaction); nothing else changes a request's state.
 *
 *   draft ──submit──▶ submitted ──approve──▶ approved ──pack──▶ packed ──deploy──▶ deployed
 *                        │  ▲                  │
 *          request_changes  └──update/submit───┘ (the author changes what was reviewed: it is reviewed again)
 *                        ▼  │
 *                 changes_requested
 *   abandon: from every state before packed.
 */
import { hasRole, type Role } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";

export const REQUEST_STATES = ["draft", "submitted", "changes_requested", "approved", "packed", "deployed", "abandoned"] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const REQUEST_ACTIONS = ["submit", "update", "approve", "request_changes", "abandon", "pack", "deploy"] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

/** States in which the request still waits for something (a review, the author, a pack). */
export const OPEN_STATES: readonly RequestState[] = ["draft", "submitted", "changes_requested", "approved"];

export type Actor = { id: string; username: string; role: string };
export type RequestFacts = { state: RequestState; authorId: string | null; authorName: string };
/** Why the request no longer matches the published image (repacked or rolled back since it was captured). */
export type Staleness = { stale: boolean; reason?: string };

type Rule = {
  from: readonly RequestState[];
  to: RequestState | "same";
  role: Role;
  who: "author" | "not-author" | "author-or-admin" | "anyone";
};

const RULES: Record<RequestAction, Rule> = {
  submit: { from: ["draft", "changes_requested"], to: "submitted", role: "editor", who: "author" },
  // An update recaptures the diff; what was approved or commented on is no longer what is there: review again.
  update: { from: ["draft", "submitted", "changes_requested", "approved"], to: "same", role: "editor", who: "author" },
  approve: { from: ["submitted"], to: "approved", role: "reviewer", who: "not-author" },
  request_changes: { from: ["submitted", "approved"], to: "changes_requested", role: "reviewer", who: "not-author" },
  abandon: { from: ["draft", "submitted", "changes_requested", "approved"], to: "abandoned", role: "editor", who: "author-or-admin" },
  pack: { from: ["approved"], to: "packed", role: "editor", who: "anyone" },
  deploy: { from: ["packed", "deployed"], to: "deployed", role: "editor", who: "anyone" },
};

const LABEL: Record<RequestState, string> = {
  draft: "a draft",
  submitted: "submitted",
  changes_requested: "waiting for changes",
  approved: "approved",
  packed: "packed",
  deployed: "deployed",
  abandoned: "abandoned",
};

export function stateLabel(s: RequestState): string {
  return LABEL[s];
}

/** The state after `action`, or an AppError (403 who/role, 409 state or stale) whose message says what to do. */
export function nextState(req: RequestFacts, action: RequestAction, actor: Actor, staleness: Staleness = { stale: false }): RequestState {
  const rule = RULES[action];
  const isAuthor = req.authorId !== null && req.authorId === actor.id;
  if (!hasRole(actor, rule.role))
    throw new AppError(
      "forbidden",
      `To ${verb(action)} a change request you need the ${rule.role} role; you are ${actor.role}: ask a ${rule.role} or an admin.`,
      { details: { reason: "role", needs: rule.role } },
    );
  if (rule.who === "author" && !isAuthor)
    throw new AppError("forbidden", `Only the author (${req.authorName}) can ${verb(action)} this request.`, {
      details: { reason: "not-author" },
    });
  if (rule.who === "author-or-admin" && !isAuthor && !hasRole(actor, "admin"))
    throw new AppError("forbidden", `Only the author (${req.authorName}) or an admin can ${verb(action)} this request.`, {
      details: { reason: "not-author" },
    });
  if (rule.who === "not-author" && isAuthor)
    throw new AppError("forbidden", "You cannot review your own change request: ask another reviewer.", {
      details: { reason: "own-request" },
    });
  if (!rule.from.includes(req.state))
    throw new AppError(
      "conflict",
      `This request is ${stateLabel(req.state)}; you can ${verb(action)} it only when it is ${rule.from.map(stateLabel).join(" or ")}.`,
      { details: { reason: "state", state: req.state } },
    );
  if (action === "approve" && staleness.stale)
    throw new AppError(
      "conflict",
      `This request is stale: ${staleness.reason ?? "the image moved since it was submitted"}. The author must update it (recapture against the image as published now) before it can be approved.`,
      { details: { reason: "stale", moved: staleness.reason } },
    );
  if (rule.to !== "same") return rule.to;
  // An update of a submitted, approved or refused request puts it back in front of a reviewer.
  return req.state === "draft" ? "draft" : "submitted";
}

/** The actions `actor` may take now (for the UI's buttons; the server checks again with nextState). */
export function allowedActions(req: RequestFacts, actor: Actor, staleness: Staleness = { stale: false }): RequestAction[] {
  return REQUEST_ACTIONS.filter((a) => a !== "pack" && a !== "deploy").filter((a) => {
    try {
      nextState(req, a, actor, staleness);
      return true;
    } catch {
      return false;
    }
  });
}

function verb(a: RequestAction): string {
  return {
    submit: "submit",
    update: "update",
    approve: "approve",
    request_changes: "request changes on",
    abandon: "abandon",
    pack: "pack",
    deploy: "deploy",
  }[a];
}
