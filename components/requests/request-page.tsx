"use client";
import Link from "next/link";
import { useState } from "react";
import { type ApiError, isApiError } from "../api-client";
import { roleAtLeast, useCurrentUser } from "../current-user";
import { formatTime } from "../format";
import { useImageCommands } from "../hooks/use-images";
import { type RequestCommentView, type RequestDetailView, useRequest, useRequestCommands } from "../hooks/use-requests";
import { ImageJob } from "../images/image-job";
import { VisibleName } from "../visible-name";
import { RequestItem } from "./request-item";
import { RequestStateBadge, stateText } from "./request-state";

type Extra = { path: string; kind: string; why: string };

/** One change request: what was captured, the discussion, the timeline and what the signed-in user may do. */
export function RequestPage({ id }: { id: number }) {
  const q = useRequest(id);
  const [revision, setRevision] = useState<number | null>(null);
  if (q.error)
    return (
      <div className="error" data-testid="request-error">
        {(q.error as Error).message}
      </div>
    );
  const r = q.data;
  if (!r) return <p className="muted">Loading…</p>;
  const shown = revision ?? r.revision;
  // the current revision's items carry "changed since submitted"; earlier ones are shown as they were
  const items = shown === r.revision ? r.items : (r.revisions.find((x) => x.revision === shown)?.items ?? []);
  return (
    <section data-testid="request-page" data-id={r.id} data-state={r.state} data-revision={r.revision}>
      <div className="toolbar">
        <h1>
          #{r.id} {r.title}
        </h1>
        <RequestStateBadge state={r.state} />
        <span className="spacer" />
        <Link href={`/images/${encodeURIComponent(r.image)}`} className="mono small">
          {r.image}
        </Link>
        <Link href={`/images/${encodeURIComponent(r.image)}/history`} className="small">
          history
        </Link>
      </div>
      <p className="small muted">
        by <b>{r.authorName}</b> · created {formatTime(r.createdAt)}
        {r.submittedAt ? ` · submitted ${formatTime(r.submittedAt)}` : ""} · revision {r.revision}
        {r.baseSeq !== null ? ` · captured against version ${r.baseSeq}` : " · captured before the image had a recorded version"}
        {r.versions.map((v) => (
          <span key={v.seq}>
            {" "}
            · packed into{" "}
            <Link href={`/images/${encodeURIComponent(r.image)}/history`} data-testid="request-packed-version">
              version {v.seq}
            </Link>
            {v.live ? " (live)" : ""}{" "}
            <Link
              href={`/nodes?image=${encodeURIComponent(r.image)}&version=${v.seq}`}
              className="small"
              data-testid="request-deploy-version"
            >
              deploy it
            </Link>
          </span>
        ))}
      </p>
      {r.staleness.stale && (
        <div className="error" data-testid="request-stale">
          Stale: {r.staleness.reason}. It cannot be approved as it is; the author updates it to recapture the changes against the image as
          published now.
        </div>
      )}
      {r.description && (
        <p className="card" style={{ whiteSpace: "pre-wrap" }} data-testid="request-description-text">
          {r.description}
        </p>
      )}
      <RequestActions r={r} />
      <div className="toolbar" style={{ marginTop: 12 }}>
        <h2>
          {items.length} changed path{items.length === 1 ? "" : "s"}
        </h2>
        {r.revisions.length > 1 && (
          <label className="small">
            revision{" "}
            <select value={shown} onChange={(e) => setRevision(Number(e.target.value))} data-testid="request-revision">
              {r.revisions.map((x) => (
                <option key={x.revision} value={x.revision}>
                  {x.revision}
                  {x.revision === r.revision ? " (current)" : ""}
                </option>
              ))}
            </select>
          </label>
        )}
        {shown !== r.revision && <span className="badge state-cancelled">an earlier revision: what was reviewed then</span>}
      </div>
      {items.map((it) => (
        <RequestItem
          key={`${shown}:${it.path}`}
          r={r}
          item={it}
          revision={shown}
          comments={r.comments.filter((c) => c.revision === shown && c.path === it.path)}
        />
      ))}
      <Discussion r={r} onShowRevision={setRevision} />
      <Timeline r={r} />
    </section>
  );
}

function RequestActions({ r }: { r: RequestDetailView }) {
  const me = useCurrentUser();
  const cmd = useRequestCommands();
  const images = useImageCommands();
  const [comment, setComment] = useState("");
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  if (!roleAtLeast(me, "editor")) return null; // a viewer sees, never acts (the API answers 403 as well)
  async function run(fn: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await fn();
      setComment("");
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }
  const can = (a: string) => r.actions.includes(a as never);
  const canReview = can("approve") || can("request_changes");
  const extra = error && isApiError(error) && error.details.reason === "unapproved-changes" ? (error.details.extra as Extra[]) : null;
  return (
    <div className="card" data-testid="request-actions">
      {canReview && (
        <textarea
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          rows={2}
          style={{ width: "100%" }}
          placeholder="Review comment (optional)"
          data-testid="request-review-comment"
        />
      )}
      <div className="toolbar">
        {can("approve") && (
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => run(() => cmd.transition(r.id, "approve", comment))}
            data-testid="request-approve"
          >
            Approve
          </button>
        )}
        {can("request_changes") && (
          <button
            type="button"
            disabled={busy}
            onClick={() => run(() => cmd.transition(r.id, "request_changes", comment))}
            data-testid="request-request-changes"
          >
            Request changes
          </button>
        )}
        {can("submit") && (
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => run(() => cmd.transition(r.id, "submit"))}
            data-testid="request-submit-again"
          >
            Submit for review
          </button>
        )}
        {can("update") && (
          <button
            type="button"
            disabled={busy}
            onClick={() => run(() => cmd.update(r.id, {}))}
            data-testid="request-update"
            title="Capture the same paths again as they are on disk now (a new revision); a reviewed request goes back to review"
          >
            Update to what is on disk now
          </button>
        )}
        {r.state === "approved" && (
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => run(async () => setJobId((await images.pack(r.image, { method: "own", request: r.id })).jobId ?? null))}
            data-testid="request-pack"
          >
            Pack from this request
          </button>
        )}
        <span className="spacer" />
        {can("abandon") && (
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() =>
              window.confirm(`Abandon #${r.id}? It stays readable; it can no longer be approved or packed.`) &&
              run(() => cmd.transition(r.id, "abandon"))
            }
            data-testid="request-abandon"
          >
            Abandon
          </button>
        )}
      </div>
      {r.authorId === me.id && ["submitted", "approved"].includes(r.state) && (
        <p className="muted small">You cannot review your own request: another reviewer approves it.</p>
      )}
      {!canReview && r.authorId !== me.id && r.state === "submitted" && !roleAtLeast(me, "reviewer") && (
        <p className="muted small">A reviewer or an admin approves requests; you can comment.</p>
      )}
      {error && (
        <div
          className="error"
          data-testid="request-action-error"
          data-reason={isApiError(error) ? String(error.details.reason ?? error.code) : undefined}
        >
          {error.message}
          {extra && (
            <ul data-testid="pack-extra">
              {extra.map((e) => (
                <li key={e.path} className="mono" data-testid="pack-extra-path" data-path={e.path}>
                  {e.path} — {e.why === "not-in-request" ? `${e.kind}, not in the request` : "changed since approved"}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {jobId && <ImageJob key={jobId} jobId={jobId} onFinished={() => undefined} />}
    </div>
  );
}

function Discussion({ r, onShowRevision }: { r: RequestDetailView; onShowRevision: (rev: number) => void }) {
  const me = useCurrentUser();
  const cmd = useRequestCommands();
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="card" style={{ marginTop: 12 }} data-testid="request-discussion">
      <h2>Discussion</h2>
      {r.comments.length === 0 && <p className="muted small">No comments yet.</p>}
      {r.comments.map((c) => (
        <CommentLine key={c.id} c={c} current={r.revision} onShowRevision={onShowRevision} />
      ))}
      {roleAtLeast(me, "editor") && !["abandoned"].includes(r.state) && (
        <div style={{ marginTop: 8 }}>
          <textarea
            value={body}
            onChange={(e) => setBody(e.target.value)}
            rows={2}
            style={{ width: "100%" }}
            placeholder="Comment on the whole request"
            data-testid="request-comment-body"
          />
          {error && <div className="error">{error}</div>}
          <button
            type="button"
            disabled={!body.trim()}
            onClick={async () => {
              try {
                await cmd.comment(r.id, { body });
                setBody("");
                setError(null);
              } catch (e) {
                setError((e as Error).message);
              }
            }}
            data-testid="request-comment-send"
          >
            Comment
          </button>
        </div>
      )}
    </div>
  );
}

export function CommentLine({
  c,
  current,
  onShowRevision,
}: {
  c: RequestCommentView;
  current: number;
  onShowRevision?: (rev: number) => void;
}) {
  return (
    <div
      className="comment"
      data-testid="request-comment"
      data-path={c.path ?? ""}
      data-line={c.line ?? ""}
      data-revision={c.revision}
      style={{ borderTop: "1px solid #eceef2", padding: "6px 0" }}
    >
      <div className="small muted">
        <b>{c.authorName}</b> {formatTime(c.createdAt)}
        {c.path && (
          <>
            {" "}
            on{" "}
            <span className="mono">
              <VisibleName name={c.path} />
            </span>
            {c.line ? ` line ${c.line}` : ""}
          </>
        )}
        {c.revision !== current && (
          <>
            {" "}
            ·{" "}
            <button type="button" className="link small" onClick={() => onShowRevision?.(c.revision)} data-testid="comment-outdated">
              revision {c.revision} (outdated)
            </button>
          </>
        )}
      </div>
      <div style={{ whiteSpace: "pre-wrap" }}>{c.body}</div>
    </div>
  );
}

const ACTION_LABEL: Record<string, string> = {
  create: "created",
  submit: "submitted",
  update: "updated",
  approve: "approved",
  request_changes: "requested changes",
  abandon: "abandoned",
  pack: "packed",
  deploy: "deployed",
};

function Timeline({ r }: { r: RequestDetailView }) {
  return (
    <div className="card" style={{ marginTop: 12 }}>
      <h2>Timeline</h2>
      <table className="table" data-testid="request-timeline">
        <tbody>
          {r.events.map((e) => (
            <tr key={e.id} data-testid="request-event" data-action={e.action} data-to={e.toState ?? ""}>
              <td className="nowrap">{formatTime(e.at)}</td>
              <td>{e.username}</td>
              <td>
                {ACTION_LABEL[e.action] ?? e.action}
                {e.fromState && e.toState && e.fromState !== e.toState
                  ? ` (${stateText(e.fromState)} → ${stateText(e.toState)})`
                  : e.toState && !e.fromState
                    ? ` (${stateText(e.toState)})`
                    : ""}
                {typeof e.detail?.revision === "number" && e.action === "update" ? ` · revision ${e.detail.revision}` : ""}
                {Array.isArray(e.detail?.changed) && (e.detail.changed as string[]).length > 0
                  ? ` · changed: ${(e.detail.changed as string[]).join(", ")}`
                  : ""}
                {typeof e.detail?.seq === "number" ? ` · version ${e.detail.seq}` : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
