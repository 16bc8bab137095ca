"use client";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { roleAtLeast, useCurrentUser } from "./current-user";
import { formatAmount, formatTime } from "./format";
import { useJobCommands, useJobs } from "./hooks/use-jobs";

const STATES = ["", "queued", "running", "succeeded", "failed", "cancelled", "interrupted"];

export function JobsTable() {
  const user = useCurrentUser();
  const router = useRouter();
  const [state, setState] = useState("");
  const [type, setType] = useState("");
  const jobs = useJobs({ state, type });
  const cmd = useJobCommands();
  const backup = useMutation({
    mutationFn: cmd.startBackup,
    onSuccess: ({ jobId }) => router.push(`/jobs/${jobId}`),
  });
  return (
    <section>
      <div className="toolbar">
        <h1>Jobs</h1>
        <select value={state} onChange={(e) => setState(e.target.value)} data-testid="jobs-filter-state" aria-label="state">
          {STATES.map((s) => (
            <option key={s} value={s}>
              {s || "any state"}
            </option>
          ))}
        </select>
        <input
          placeholder="type, e.g. image.unpack"
          value={type}
          onChange={(e) => setType(e.target.value)}
          data-testid="jobs-filter-type"
        />
        <span className="spacer" />
        {roleAtLeast(user, "admin") && (
          <button type="button" onClick={() => backup.mutate()} disabled={backup.isPending} data-testid="backup-start">
            Back up database
          </button>
        )}
      </div>
      {backup.error && <div className="error">{(backup.error as Error).message}</div>}
      {jobs.error && <div className="error">{(jobs.error as Error).message}</div>}
      <table className="table" data-testid="jobs-table">
        <thead>
          <tr>
            <th>Started</th>
            <th>Type</th>
            <th>Image / node</th>
            <th>Owner</th>
            <th>State</th>
            <th>Progress</th>
          </tr>
        </thead>
        <tbody>
          {jobs.data?.jobs.map((j) => (
            <tr key={j.id} data-testid="job-row" data-job-id={j.id}>
              <td>
                <Link href={`/jobs/${j.id}`}>{formatTime(j.startedAt ?? j.createdAt)}</Link>
              </td>
              <td>{j.type}</td>
              <td>{j.image ?? j.node ?? "–"}</td>
              <td>{j.ownerName}</td>
              <td>
                <span className={`badge state-${j.state}`}>{j.state}</span>
              </td>
              <td>
                {formatAmount(j.done, j.unit)}
                {j.total !== null ? ` / ${formatAmount(j.total, j.unit)}` : ""}
              </td>
            </tr>
          ))}
          {jobs.data?.jobs.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No jobs yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
