"use client";
import dynamic from "next/dynamic";

export type TextDiffProps = {
  /** the pristine text ("" for an added file) */
  original: string;
  /** the text now ("" for a removed file) */
  modified: string;
  /** a Monaco language id (the server's detectLanguage) */
  language: string;
  sideBySide: boolean;
  /** a click in the margin of a line of the modified side */
  onLineAction?: (line: number) => void;
  /** lines of the modified side to mark (those carrying comments) */
  lineMarkers?: number[];
};

// Monaco touches window/document when its module loads: only in the browser.
const TextDiffMonaco = dynamic(() => import("./text-diff-monaco"), { ssr: false, loading: () => <p className="muted">Loading diff…</p> });

/** A text change in Monaco's diff editor, side by side or inline. */
export function TextDiff(props: TextDiffProps) {
  // as tall as the longer side (Monaco's lines are 19 px), at most 60 % of the window; inline shows both sides' lines
  const count = (t: string) => t.split("\n").length;
  const lines = props.sideBySide ? Math.max(count(props.original), count(props.modified)) : count(props.original) + count(props.modified);
  return (
    <div
      className="review-text-diff"
      style={{ height: `min(60vh, ${Math.max(6, lines) * 19 + 30}px)` }}
      data-testid="text-diff"
      data-side-by-side={props.sideBySide ? "true" : "false"}
    >
      <TextDiffMonaco {...props} />
    </div>
  );
}
