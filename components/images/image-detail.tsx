"use client";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { RecentCommands } from "../commands/recent-commands";
import { roleAtLeast, useCurrentUser } from "../current-user";
import { formatAmount, formatTime } from "../format";
import { useImage, useImageJobSettled } from "../hooks/use-images";
import { isTerminal } from "../hooks/use-job";
import { ReviewPolicyCard } from "../requests/review-policy";
import { afterImageJob } from "./after-image-job";
import { GateHolder } from "./gate-holder";
import { ImageActions } from "./image-actions";
import { ImageJob } from "./image-job";
import { ImageVersions } from "./image-versions";

export function ImageDetail({ name }: { name: string }) {
  const user = useCurrentUser();
  const [jobId, setJobId] = useState<string | null>(null);
  const q = useImage(name);
  const refresh = useCallback(() => void q.refetch(), [q]);
  const settle = useImageJobSettled(name);
  // The followed job's end, kept in this component's state: set while the card's final state is committed,
  // so the badges below change in the same frame (the query cache tells its readers a task later).
  const [ended, setEnded] = useState<{ type: string; state: string; at: number } | null>(null);
  const jobFinished = useCallback(
    (job: { type: string; state: string }) => {
      setEnded({ type: job.type, state: job.state, at: Date.now() });
      settle(job);
      refresh();
    },
    [settle, refresh],
  );
  // Only data read before the job ended is corrected; a later answer is the server's word.
  const d = q.data && ended && q.dataUpdatedAt <= ended.at ? afterImageJob(q.data, ended) : q.data;
  // After a reload (or when someone else started it) follow the image's running job: progress, log, cancel.
  const running = d?.lastJob && !isTerminal(d.lastJob.state) ? d.lastJob.id : null;
  useEffect(() => {
    if (running) setJobId((current) => current ?? running);
  }, [running]);
  if (q.error)
    return (
      <div className="error" data-testid="image-error">
        {(q.error as Error).message}
      </div>
    );
  if (!d) return <p className="muted">Loading…</p>;
  return (
    <section data-testid="image-page" data-image={name}>
      <div className="toolbar">
        <h1>{d.imagename}</h1>
        <span className={`badge ws-${d.workspace}`} data-testid="image-workspace">
          {d.workspace}
        </span>
        {d.lock && (
          <span className="badge" data-testid="image-lock">
            locked by {d.lock.holder}
          </span>
        )}
        <span className="spacer" />
        <Link href={`/images/${encodeURIComponent(name)}/files`} data-testid="image-files-link" className={d.treeExists ? "" : "muted"}>
          Files{d.treeExists ? "" : " (unpack first)"}
        </Link>
        <Link
          href={`/images/${encodeURIComponent(name)}/commands`}
          data-testid="image-commands-page-link"
          className={d.treeExists ? "" : "muted"}
        >
          Commands
        </Link>
      </div>
      <GateHolder busy={d.busy} writers={d.writers} />
      {roleAtLeast(user, "editor") && <ImageActions image={d} onJob={setJobId} onChanged={refresh} />}
      {jobId && <ImageJob key={jobId} jobId={jobId} onFinished={jobFinished} />}
      <div style={{ display: "grid", gridTemplateColumns: "minmax(0,1fr) minmax(0,1fr)", gap: 12 }}>
        <div className="card">
          <h2>Attributes</h2>
          <dl className="facts" data-testid="image-attrs">
            {Object.entries(d.attrs)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, v]) => (
                <div key={k} style={{ display: "contents" }}>
                  <dt>{k}</dt>
                  <dd className="mono">{v}</dd>
                </div>
              ))}
          </dl>
        </div>
        <div className="card">
          <h2>Files in rootimgdir</h2>
          <p className="muted small mono">{d.rootimgdir}</p>
          <table className="table" data-testid="image-files">
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>Mode</th>
                <th>Size</th>
                <th>Modified</th>
              </tr>
            </thead>
            <tbody>
              {d.files.map((f) => (
                <tr key={f.name} data-testid="rootimgdir-file" data-name={f.name}>
                  <td className="mono">{f.name}</td>
                  <td>{f.type}</td>
                  <td className="mono">{f.mode}</td>
                  <td>{f.type === "dir" ? "" : formatAmount(f.size, "bytes")}</td>
                  <td>{formatTime(f.mtime)}</td>
                </tr>
              ))}
              {d.files.length === 0 && (
                <tr>
                  <td colSpan={5} className="muted">
                    rootimgdir does not exist.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          <p className="small">
            Edits recorded since the last pack: <b data-testid="image-pending">{d.pendingChanges}</b>
            {d.treeExists && (
              <>
                {" "}
                ·{" "}
                <Link href={`/changes?image=${encodeURIComponent(d.imagename)}`} data-testid="image-changes-link">
                  review pending changes
                </Link>
              </>
            )}
          </p>
        </div>
      </div>
      <ImageVersions image={d} onChanged={refresh} />
      <ReviewPolicyCard image={name} />
      <RecentCommands image={name} />
    </section>
  );
}
