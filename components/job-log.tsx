"use client";
import { FollowPane } from "./follow-pane";
import type { LogLineView } from "./hooks/use-job";
import { jobLogUrl } from "./hooks/use-jobs";

const SHOWN = 2000;

/** A job's log, following the tail while the view is scrolled to the bottom. */
export function JobLog({ lines, jobId }: { lines: LogLineView[]; jobId: string }) {
  const shown = lines.slice(-SHOWN);
  return (
    <div>
      {lines.length > SHOWN && (
        <p className="muted">
          Showing the last {SHOWN} of {lines.length} lines; the whole log: <a href={jobLogUrl(jobId)}>JSON</a>.
        </p>
      )}
      <FollowPane follow={lines} lineCount={lines.length} testId="job-log">
        {shown.map((l) => (
          <div key={l.seq} className={`log-line ${l.stream}`} data-testid="job-log-line" data-seq={l.seq}>
            {l.line}
          </div>
        ))}
        {lines.length === 0 && <span className="muted">(no output yet)</span>}
      </FollowPane>
    </div>
  );
}
