"use client";
import Link from "next/link";
import { useState } from "react";
import { roleAtLeast, useCurrentUser } from "../current-user";
import { useRequestCommands, useRequests, useReviewPolicy } from "../hooks/use-requests";
import { RequestStateBadge } from "./request-state";

/** The image's review policy (admins change it) and its open change requests. */
export function ReviewPolicyCard({ image }: { image: string }) {
  const me = useCurrentUser();
  const q = useReviewPolicy(image);
  const open = useRequests({ image });
  const cmd = useRequestCommands();
  const [error, setError] = useState<string | null>(null);
  const p = q.data;
  const admin = roleAtLeast(me, "admin");
  async function set(next: { packRequiresApproval: boolean; deployRequiresApproval: boolean }) {
    try {
      setError(null);
      await cmd.setPolicy(image, next);
    } catch (e) {
      setError((e as Error).message);
    }
  }
  const active = (open.data?.requests ?? []).filter((r) => ["draft", "submitted", "changes_requested", "approved"].includes(r.state));
  return (
    <div className="card" style={{ marginTop: 12 }} data-testid="review-policy">
      <div className="toolbar">
        <h2>Review</h2>
        <span className="spacer" />
        <Link href={`/images/${encodeURIComponent(image)}/history`} data-testid="image-history-link">
          History
        </Link>
        <Link href={`/requests?image=${encodeURIComponent(image)}`}>All change requests</Link>
      </div>
      {p && (
        <div className="small">
          <label>
            <input
              type="checkbox"
              checked={p.packRequiresApproval}
              disabled={!admin}
              onChange={(e) => set({ ...p, packRequiresApproval: e.target.checked })}
              data-testid="policy-pack"
            />{" "}
            packing needs an approved change request
          </label>
          <br />
          <label>
            <input
              type="checkbox"
              checked={p.deployRequiresApproval}
              disabled={!admin}
              onChange={(e) => set({ ...p, deployRequiresApproval: e.target.checked })}
              data-testid="policy-deploy"
            />{" "}
            deploying to nodes other than test hosts needs a version packed from an approved change request
          </label>
          {p.updatedBy && <p className="muted">set by {p.updatedBy}</p>}
          {!admin && <p className="muted">An admin sets this policy.</p>}
        </div>
      )}
      {error && <div className="error">{error}</div>}
      {active.length > 0 && (
        <ul className="small" data-testid="image-open-requests">
          {active.map((r) => (
            <li key={r.id}>
              <Link href={`/requests/${r.id}`}>
                #{r.id} {r.title}
              </Link>{" "}
              <RequestStateBadge state={r.state} /> by {r.authorName}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
