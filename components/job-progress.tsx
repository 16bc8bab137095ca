"use client";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { roleAtLeast, useCurrentUser } from "./current-user";
import { formatAmount, formatDuration } from "./format";
import { isTerminal, type JobView, useJob } from "./hooks/use-job";
import { useJobCommands } from "./hooks/use-jobs";

/**
 * Progress of one job, live: bar, done/total in the job's unit, rate, time left, state, cancel button.
 * Usage: <JobProgress jobId={id} onFinished={(job) => ...} />. Pages that also show the log use useJob()
 * once and render <JobProgressView job={job} />.
 */
export function JobProgress({ jobId, onFinished }: { jobId: string; onFinished?: (job: JobView) => void }) {
  const { job, error } = useJob(jobId);
  const finishedFor = useRef<string | null>(null);
  useEffect(() => {
    if (job && isTerminal(job.state) && finishedFor.current !== job.id) {
      finishedFor.current = job.id;
      onFinished?.(job);
    }
  }, [job, onFinished]);
  if (error)
    return (
      <div className="error" data-testid="job-progress-error">
        {error}
      </div>
    );
  return <JobProgressView job={job} />;
}

type Sample = { t: number; done: number };

export function JobProgressView({ job }: { job: JobView | null }) {
  const user = useCurrentUser();
  const samples = useRef<Sample[]>([]);
  const cmd = useJobCommands();
  const cancel = useMutation({ mutationFn: cmd.cancel });

  // Rate over the last 10 s of updates: reacts to slow-downs, unlike an average since the start.
  const now = Date.now();
  if (job && job.state === "running") {
    const last = samples.current[samples.current.length - 1];
    if (!last || last.done !== job.done) samples.current.push({ t: now, done: job.done });
    samples.current = samples.current.filter((s) => now - s.t <= 10_000);
  }
  if (!job)
    return (
      <div className="job-progress" data-testid="job-progress" data-state="loading">
        Loading job…
      </div>
    );

  const first = samples.current[0];
  const last = samples.current[samples.current.length - 1];
  const rate = first && last && last.t > first.t ? ((last.done - first.done) * 1000) / (last.t - first.t) : null;
  const pct = job.total ? Math.min(100, (job.done / job.total) * 100) : null;
  const eta = rate && job.total ? (job.total - job.done) / rate : null;
  const running = !isTerminal(job.state);
  const mayCancel = running && (job.ownerName === user.username || roleAtLeast(user, "reviewer")) && roleAtLeast(user, "editor");

  return (
    <div className="job-progress" data-testid="job-progress" data-state={job.state}>
      <div className="job-progress-head">
        <span className={`badge state-${job.state}`} data-testid="job-state">
          {job.state}
        </span>
        <span className="job-type">{job.type}</span>
        {job.message && (
          <span className="muted" data-testid="job-message">
            {job.message}
          </span>
        )}
        {mayCancel && (
          <button
            type="button"
            className="danger small"
            data-testid="job-cancel"
            disabled={cancel.isPending}
            onClick={() => cancel.mutate(job.id)}
          >
            {cancel.isPending ? "Cancelling…" : "Cancel"}
          </button>
        )}
      </div>
      <div className="bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct ?? undefined} data-testid="job-bar">
        <div
          className={`bar-fill${pct === null && running ? " indeterminate" : ""}${running ? "" : " final"}`}
          style={{ width: `${pct ?? (running ? 100 : 0)}%` }}
        />
      </div>
      <div className="job-numbers">
        <span data-testid="job-done" data-value={job.done}>
          {formatAmount(job.done, job.unit)}
        </span>
        {job.total !== null && (
          <span data-testid="job-total" data-value={job.total}>
            {" "}
            / {formatAmount(job.total, job.unit)}
          </span>
        )}
        {pct !== null && <span> ({pct.toFixed(0)}%)</span>}
        {running && rate !== null && <span data-testid="job-rate"> · {formatAmount(rate, job.unit)}/s</span>}
        {running && eta !== null && <span data-testid="job-eta"> · {formatDuration(eta)} left</span>}
      </div>
      {job.error && (
        <div className="error" data-testid="job-error">
          {job.error}
        </div>
      )}
      {cancel.error && <div className="error">{(cancel.error as Error).message}</div>}
    </div>
  );
}
