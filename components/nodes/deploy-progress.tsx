"use client";
import { isTerminal, useJob } from "../hooks/use-job";
import { useDeployTargets } from "../hooks/use-node-live";
import { JobProgressView } from "../job-progress";

const BADGE: Record<string, string> = {
  verified: "state-succeeded",
  mismatch: "state-failed",
  failed: "state-failed",
  pending: "",
  nodeset: "state-running",
  power: "state-running",
  booting: "state-running",
  booted: "state-running",
};
const LABEL: Record<string, string> = {
  pending: "pending",
  nodeset: "nodeset done",
  power: "power sent",
  booting: "booting",
  booted: "booted",
  verified: "booted and verified",
  mismatch: "booted another pack",
  failed: "failed",
};

/** One line per node: its state, when it entered each state, and what the stamp said. */
export function DeployProgress({ jobId }: { jobId: string }) {
  const { job } = useJob(jobId);
  const { targets, error } = useDeployTargets(jobId);
  const t0 = targets.length ? Math.min(...targets.map((t) => Date.parse(t.history[0]?.at ?? ""))) : 0;
  return (
    <div data-testid="deploy-progress" data-state={job?.state ?? ""} data-finished={job ? String(isTerminal(job.state)) : "false"}>
      <JobProgressView job={job} />
      {error && <div className="error">{error}</div>}
      <table className="table">
        <thead>
          <tr>
            <th>Node</th>
            <th>State</th>
            <th>Steps (seconds since start)</th>
            <th>Stamp</th>
          </tr>
        </thead>
        <tbody>
          {targets.map((t) => (
            <tr key={t.node} data-testid="deploy-target" data-node={t.node} data-state={t.state}>
              <td>
                {t.node}
                {t.kind === "testhost" && <span className="muted small"> test host</span>}
              </td>
              <td>
                <span className={`badge ${BADGE[t.state] ?? ""}`} data-testid="deploy-target-state">
                  {LABEL[t.state] ?? t.state}
                </span>
              </td>
              <td className="small">
                {t.history.map((h, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a node's history only grows at its end: the index is an entry's identity
                  <span key={i} title={`${h.at}${h.detail ? ` — ${h.detail}` : ""}`}>
                    {i > 0 && " → "}
                    {LABEL[h.state] ?? h.state} <span className="muted">{((Date.parse(h.at) - t0) / 1000).toFixed(1)}</span>
                  </span>
                ))}
                {t.message && (t.state === "failed" || t.state === "mismatch") && (
                  <div className="error small" data-testid="deploy-target-message">
                    {t.message}
                  </div>
                )}
              </td>
              <td className="mono small" data-testid="deploy-target-stamp">
                {t.seenUuid ?? "–"}
                {t.state === "mismatch" && <div>expected {t.expectedUuid ?? "none"}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
