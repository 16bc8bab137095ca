"use client";
import { useState } from "react";
import type { ChangeDiffView } from "../hooks/use-review";
import { TextDiff } from "./text-diff";

type Content = ChangeDiffView["content"];
type BinarySide = Extract<Content, { kind: "binary" }>["before"];

function Binary({ label, side }: { label: string; side: BinarySide }) {
  return (
    <tr>
      <th>{label}</th>
      {side ? (
        <>
          <td data-testid="binary-size">{side.size.toLocaleString()} bytes</td>
          <td className="mono small">{side.sha256 ?? "–"}</td>
          <td className="small" data-testid="binary-file">
            {side.file ?? ""}
          </td>
        </>
      ) : (
        <td colSpan={3} className="muted">
          absent
        </td>
      )}
    </tr>
  );
}

/**
 * The content part of a diff: text in Monaco's diff editor (with a side-by-side / inline toggle), binary files
 * as sizes, hashes and what `file` says, or why it is not shown.
 */
export function ContentDiff(props: {
  content: Content;
  /** what the two sides are, e.g. ["pristine", "now"] or ["version 3", "version 4"] */
  sides?: [string, string];
  onLineAction?: (line: number) => void;
  lineMarkers?: number[];
}) {
  const [left, right] = props.sides ?? ["pristine", "now"];
  const [sideBySide, setSideBySide] = useState(true);
  const c = props.content;
  if (c.kind === "none") return null;
  if (c.kind === "hidden")
    return (
      <p className="muted" data-testid="content-hidden">
        Content not shown: {c.reason}.
      </p>
    );
  if (c.kind === "binary") {
    return (
      <div data-testid="binary-diff">
        <p className="muted small">
          {c.reason === "too-large" ? "Too large to show as text (over 5 MB): sizes and hashes." : "Binary content: sizes and hashes."}
        </p>
        <table className="review-meta">
          <thead>
            <tr>
              <th></th>
              <th>Size</th>
              <th>SHA-256</th>
              <th>file</th>
            </tr>
          </thead>
          <tbody>
            <Binary label={left} side={c.before} />
            <Binary label={right} side={c.after} />
          </tbody>
        </table>
      </div>
    );
  }
  return (
    <div>
      <div className="toolbar small">
        <span className="muted">
          {c.before === null
            ? `added (not in ${left})`
            : c.after === null
              ? `removed (not in ${right})`
              : sideBySide
                ? `${left} left, ${right} right`
                : `${left} → ${right}`}{" "}
          · {c.language}
        </span>
        <span className="spacer" />
        <label>
          <input type="checkbox" checked={!sideBySide} onChange={(e) => setSideBySide(!e.target.checked)} data-testid="diff-inline" />{" "}
          inline
        </label>
      </div>
      <TextDiff
        original={c.before ?? ""}
        modified={c.after ?? ""}
        language={c.language}
        sideBySide={sideBySide}
        onLineAction={props.onLineAction}
        lineMarkers={props.lineMarkers}
      />
    </div>
  );
}
