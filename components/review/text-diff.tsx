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
  return (
    <div className="review-text-diff" data-testid="text-diff" data-side-by-side={props.sideBySide ? "true" : "false"}>
      <TextDiffMonaco {...props} />
    </div>
  );
}
