/**
 * The states of one node in a deploy, and the only moves between them. Pure: the deploy job feeds it events
 * and stores what it returns.
 *
 *   pending → nodeset → power → booting → booted → verified
 *                                                → mismatch   (booted another pack: both UUIDs kept)
 *   any state before an end → failed                           (with the step's message)
 */
export const DEPLOY_STATES = ["pending", "nodeset", "power", "booting", "booted", "verified", "mismatch", "failed"] as const;
export type DeployState = (typeof DEPLOY_STATES)[number];
export const FINAL_STATES: readonly DeployState[] = ["verified", "mismatch", "failed"];

export type DeployEvent =
  | { type: "nodeset-done"; detail?: string }
  | { type: "power-sent"; detail?: string }
  | { type: "booting" }
  | { type: "stamp"; uuid: string | undefined; imagename?: string; timestamp?: string }
  | { type: "fail"; message: string };

export type TargetState = {
  node: string;
  state: DeployState;
  expectedUuid: string | null;
  seenUuid: string | null;
  message: string | null;
  history: { state: DeployState; at: string; detail?: string }[];
};

const NEXT: Record<DeployEvent["type"], { from: DeployState[]; to: DeployState | "by-stamp" }> = {
  "nodeset-done": { from: ["pending"], to: "nodeset" },
  "power-sent": { from: ["nodeset"], to: "power" },
  booting: { from: ["power"], to: "booting" },
  stamp: { from: ["power", "booting"], to: "by-stamp" },
  fail: { from: ["pending", "nodeset", "power", "booting", "booted"], to: "failed" },
};

export function initialTarget(node: string, expectedUuid: string | null, now = new Date()): TargetState {
  return { node, state: "pending", expectedUuid, seenUuid: null, message: null, history: [{ state: "pending", at: now.toISOString() }] };
}

export function isFinal(s: DeployState): boolean {
  return FINAL_STATES.includes(s);
}

/** The target after `ev`; throws on a move the machine does not allow (a bug in the caller). */
export function advance(t: TargetState, ev: DeployEvent, now = new Date()): TargetState {
  const rule = NEXT[ev.type];
  if (!rule.from.includes(t.state)) throw new Error(`deploy of ${t.node}: ${ev.type} is not allowed in state ${t.state}`);
  const at = now.toISOString();
  if (ev.type === "fail")
    return { ...t, state: "failed", message: ev.message, history: [...t.history, { state: "failed", at, detail: ev.message }] };
  if (ev.type === "stamp") {
    // booted is its own step (with its time), then the verdict on the stamp
    const booted = [...t.history, { state: "booted" as const, at }];
    if (!ev.uuid) {
      const message = "booted, but opt/xcat/xcatinfo has no IMAGEUUID: the pack carries no stamp";
      return { ...t, state: "failed", message, history: [...booted, { state: "failed", at, detail: message }] };
    }
    if (t.expectedUuid && ev.uuid === t.expectedUuid) {
      const detail = `IMAGEUUID ${ev.uuid}${ev.timestamp ? `, packed ${ev.timestamp}` : ""}`;
      return { ...t, state: "verified", seenUuid: ev.uuid, message: detail, history: [...booted, { state: "verified", at, detail }] };
    }
    const message = `booted another pack: IMAGEUUID ${ev.uuid}${ev.imagename ? ` of ${ev.imagename}` : ""}, expected ${t.expectedUuid ?? "(the deployed version has no stamp)"}`;
    return { ...t, state: "mismatch", seenUuid: ev.uuid, message, history: [...booted, { state: "mismatch", at, detail: message }] };
  }
  const to = rule.to as DeployState;
  const detail = "detail" in ev ? ev.detail : undefined;
  return { ...t, state: to, history: [...t.history, { state: to, at, ...(detail ? { detail } : {}) }] };
}

/** One line for the job: how many nodes ended how. */
export function summarize(targets: TargetState[]): { ok: boolean; text: string } {
  const count = (s: DeployState) => targets.filter((t) => t.state === s).length;
  const verified = count("verified");
  const parts = [`${verified} of ${targets.length} verified`];
  if (count("mismatch")) parts.push(`${count("mismatch")} booted another pack`);
  if (count("failed")) parts.push(`${count("failed")} failed`);
  return { ok: verified === targets.length, text: parts.join(", ") };
}
