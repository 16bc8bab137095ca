"use client";
import { useState } from "react";
import { formatTime } from "../format";
import { useVersionCompare, useVersionCompareFile } from "../hooks/use-review";
import { VisibleName } from "../visible-name";
import { ContentDiff } from "./content-diff";

const KIND: Record<string, string> = {
  added: "added",
  removed: "removed",
  content: "content changed",
  metadata: "metadata changed",
  type: "type changed",
};
const LETTER: Record<string, string> = { added: "A", removed: "D", content: "M", metadata: "m", type: "T" };

function FileDiff({ image, from, to, path }: { image: string; from: number; to: number; path: string }) {
  const q = useVersionCompareFile(image, from, to, path);
  if (q.error) return <p className="error">{(q.error as Error).message}</p>;
  if (!q.data) return <p className="muted">Reading both archives…</p>;
  return <ContentDiff content={q.data.content} sides={[`version ${from}`, `version ${to}`]} />;
}

/**
 * Two versions of an image compared from their archives: the changed paths with their kinds; a changed
 * regular file opens its diff (text in Monaco's diff editor).
 */
export function VersionCompare({ image, from, to }: { image: string; from: number; to: number }) {
  const q = useVersionCompare(image, from, to);
  const [open, setOpen] = useState<string | undefined>();
  if (from === to) return <p className="muted">Pick two different versions.</p>;
  if (q.error)
    return (
      <p className="error" data-testid="compare-error">
        {(q.error as Error).message}
      </p>
    );
  if (!q.data)
    return (
      <p className="muted" data-testid="compare-loading">
        Comparing version {from} with version {to}…
      </p>
    );
  const r = q.data;
  return (
    <div data-testid="version-compare" data-from={from} data-to={to}>
      <p className="muted small">
        Version {r.from.seq} ({formatTime(r.from.packedAt)}, {r.from.packedBy}) → version {r.to.seq} ({formatTime(r.to.packedAt)},{" "}
        {r.to.packedBy}):{" "}
        <span data-testid="compare-count">
          {r.changes.length} change{r.changes.length === 1 ? "" : "s"}
        </span>
        {r.members.skipped > 0 ? ` · ${r.members.skipped} of ${r.members.to} compressed members identical in both, not read` : ""}
      </p>
      {r.changes.length === 0 && <p className="muted">The two archives hold the same files.</p>}
      {r.changes.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th></th>
              <th>Path</th>
              <th>Change</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {r.changes.map((c) => {
              const file = c.before?.type === "file" || c.after?.type === "file";
              const withContent = file && (c.kind !== "metadata" || c.fields.includes("content"));
              return [
                <tr key={c.path} data-testid="compare-row" data-path={c.path} data-kind={c.kind}>
                  <td className="mono">{LETTER[c.kind]}</td>
                  <td className="mono">
                    <VisibleName name={c.path} />
                  </td>
                  <td>
                    {KIND[c.kind]}
                    {c.kind === "metadata" ? `: ${c.fields.join(", ")}` : ""}
                    {c.fields.includes("mode") && c.before && c.after
                      ? ` (${c.before.mode.toString(8).padStart(4, "0")} → ${c.after.mode.toString(8).padStart(4, "0")})`
                      : ""}
                  </td>
                  <td>
                    {withContent && (
                      <button
                        type="button"
                        className="small"
                        data-testid="compare-open"
                        onClick={() => setOpen(open === c.path ? undefined : c.path)}
                      >
                        {open === c.path ? "Hide diff" : "Diff"}
                      </button>
                    )}
                  </td>
                </tr>,
                open === c.path ? (
                  <tr key={`${c.path}-diff`}>
                    <td colSpan={4}>
                      <FileDiff image={image} from={from} to={to} path={c.path} />
                    </td>
                  </tr>
                ) : null,
              ];
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
