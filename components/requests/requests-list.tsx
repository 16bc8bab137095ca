"use client";
import Link from "next/link";
import { useState } from "react";
import { useCurrentUser } from "../current-user";
import { formatTime } from "../format";
import { useRequestInbox, useRequests } from "../hooks/use-requests";
import { RequestStateBadge, stateText } from "./request-state";

const STATES = ["", "submitted", "changes_requested", "approved", "draft", "packed", "deployed", "abandoned"];

/** Every change request, newest first, with what waits for the signed-in user on top. */
export function RequestsList({ image }: { image?: string }) {
  const me = useCurrentUser();
  const [state, setState] = useState("");
  const q = useRequests({ image, state: state || undefined });
  const inbox = useRequestInbox();
  const waiting = new Set([...(inbox.data?.review ?? []), ...(inbox.data?.own ?? [])]);
  return (
    <section>
      <div className="toolbar">
        <h1>Change requests{image ? ` of ${image}` : ""}</h1>
        <span className="spacer" />
        <label className="small">
          state{" "}
          <select value={state} onChange={(e) => setState(e.target.value)} data-testid="requests-state-filter">
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s ? stateText(s) : "all"}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted small">
        An editor bundles the pending changes of an unpacked image into a request (from the <Link href="/changes">Changes</Link> page); a
        reviewer other than the author approves it or asks for changes; packing and deploying follow each image&apos;s policy.
      </p>
      {q.error && <p className="error">{(q.error as Error).message}</p>}
      <table className="table" data-testid="requests-table">
        <thead>
          <tr>
            <th>#</th>
            <th>Title</th>
            <th>Image</th>
            <th>State</th>
            <th>Author</th>
            <th>Files</th>
            <th>Updated</th>
          </tr>
        </thead>
        <tbody>
          {q.data?.requests.map((r) => (
            <tr key={r.id} data-testid="request-row" data-id={r.id} data-waiting={waiting.has(r.id)}>
              <td>{r.id}</td>
              <td>
                <Link href={`/requests/${r.id}`}>{r.title}</Link>
                {waiting.has(r.id) && (
                  <span className="badge state-running" title="waits for you">
                    {" "}
                    {r.authorId === me.id ? "yours" : "to review"}
                  </span>
                )}
              </td>
              <td className="mono small">{r.image}</td>
              <td>
                <RequestStateBadge state={r.state} />
              </td>
              <td>{r.authorName}</td>
              <td>{r.files}</td>
              <td className="nowrap">{formatTime(r.updatedAt)}</td>
            </tr>
          ))}
          {q.data?.requests.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No change requests{state ? ` ${stateText(state)}` : ""}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
