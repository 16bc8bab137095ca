"use client";
import { useEffect, useRef } from "react";
import type { LogLineView } from "./hooks/use-job";
import { jobLogUrl } from "./hooks/use-jobs";

const SHOWN = 2000;

/** A job's log, following the tail while the view is scrolled to the bottom. */
export function JobLog({ lines, jobId }: { lines: LogLineView[]; jobId: string }) {
  const box = useRef<HTMLPreElement>(null);
  const atBottom = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after each new line, to follow the tail
  useEffect(() => {
    if (box.current && atBottom.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);
  const shown = lines.slice(-SHOWN);
  return (
    <div>
      {lines.length > SHOWN && (
        <p className="muted">
          Showing the last {SHOWN} of {lines.length} lines; the whole log: <a href={jobLogUrl(jobId)}>JSON</a>.
        </p>
      )}
      <pre
        className="log"
        ref={box}
        data-testid="job-log"
        data-lines={lines.length}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 20;
        }}
      >
        {shown.map((l) => (
          <div key={l.seq} className={`log-line ${l.stream}`} data-testid="job-log-line" data-seq={l.seq}>
            {l.line}
          </div>
        ))}
        {lines.length === 0 && <span className="muted">(no output yet)</span>}
      </pre>
    </div>
  );
}
