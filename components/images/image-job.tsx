"use client";
import Link from "next/link";
import { useLayoutEffect, useRef } from "react";
import { isTerminal, useJob } from "../hooks/use-job";
import { JobLog } from "../job-log";
import { JobProgressView } from "../job-progress";

/** The image page's running job: progress bar, cancel, and its live log (packimage's output streams here). */
export function ImageJob({ jobId, onFinished }: { jobId: string; onFinished: (job: { type: string; state: string }) => void }) {
  const { job, lines, error } = useJob(jobId);
  const done = useRef(false);
  // Before the browser paints the card's final state: what the page shows around it (the image's badges)
  // changes in the same frame, never a frame later.
  useLayoutEffect(() => {
    if (job && isTerminal(job.state) && !done.current) {
      done.current = true;
      onFinished(job);
    }
  }, [job, onFinished]);
  if (error) return <div className="error">{error}</div>;
  return (
    <div data-testid="image-job">
      <JobProgressView job={job} />
      <details open={job?.type === "image.pack" || job?.state === "failed"}>
        <summary className="small">
          Log · <Link href={`/jobs/${jobId}`}>job page</Link>
        </summary>
        <JobLog lines={lines} jobId={jobId} />
      </details>
    </div>
  );
}
