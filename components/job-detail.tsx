"use client";
import Link from "next/link";
import { formatTime } from "./format";
import { useJob } from "./hooks/use-job";
import { JobLog } from "./job-log";
import { JobProgressView } from "./job-progress";
import { ReadableFields } from "./readable-fields";

export function JobDetail({ jobId }: { jobId: string }) {
  const { job, lines, error } = useJob(jobId);
  return (
    <section data-testid="job-detail" data-job-id={jobId}>
      <div className="toolbar">
        <Link href="/jobs">← Jobs</Link>
        <h1>Job {jobId}</h1>
      </div>
      {error && (
        <div className="error" data-testid="job-detail-error">
          {error}
        </div>
      )}
      {job && (
        <dl className="facts">
          <dt>Type</dt>
          <dd>{job.type}</dd>
          <dt>Owner</dt>
          <dd>{job.ownerName}</dd>
          {job.image && (
            <>
              <dt>Image</dt>
              <dd>{job.image}</dd>
            </>
          )}
          {job.node && (
            <>
              <dt>Node</dt>
              <dd>{job.node}</dd>
            </>
          )}
          <dt>Started</dt>
          <dd>{formatTime(job.startedAt)}</dd>
          <dt>Finished</dt>
          <dd>{formatTime(job.finishedAt)}</dd>
        </dl>
      )}
      {!error && <JobProgressView job={job} />}
      {job?.result != null && (
        <details open>
          <summary>Result</summary>
          <ReadableFields value={job.result} testId="job-result" />
        </details>
      )}
      <h2>Log</h2>
      <JobLog lines={lines} jobId={jobId} />
    </section>
  );
}
