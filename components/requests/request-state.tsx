"use client";

const LABEL: Record<string, string> = {
  draft: "draft",
  submitted: "submitted",
  changes_requested: "changes requested",
  approved: "approved",
  packed: "packed",
  deployed: "deployed",
  abandoned: "abandoned",
};
const CLASS: Record<string, string> = {
  draft: "",
  submitted: "state-running",
  changes_requested: "state-cancelled",
  approved: "state-succeeded",
  packed: "state-succeeded",
  deployed: "state-succeeded",
  abandoned: "state-failed",
};

export function RequestStateBadge({ state }: { state: string }) {
  return (
    <span className={`badge ${CLASS[state] ?? ""}`} data-testid="request-state" data-state={state}>
      {LABEL[state] ?? state}
    </span>
  );
}

export const stateText = (s: string) => LABEL[s] ?? s;
