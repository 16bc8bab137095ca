"use client";
import { type ReactNode, useMemo } from "react";
import { FollowPane } from "../follow-pane";
import { formatAmount } from "../format";
import { type AnsiStyle, renderAnsi } from "./ansi";

export type OutputLine = { key: string | number; stream: string; text: string };

/** Output chunks of a finished run → lines (each keeps its stream). */
export function chunksToLines(chunks: { stream: string; text: string }[]): OutputLine[] {
  const out: OutputLine[] = [];
  let open: OutputLine | null = null;
  for (const c of chunks) {
    const parts = c.text.split("\n");
    parts.forEach((p, i) => {
      const last = i === parts.length - 1;
      if (open && open.stream === c.stream) open.text += p;
      else if (p !== "" || !last) {
        open = { key: out.length, stream: c.stream, text: p };
        out.push(open);
      }
      if (!last) open = null;
    });
  }
  return out.map((l) => ({ ...l, text: l.text.replace(/\r$/, "") }));
}

const SHOWN = 3000;

/** A run's output: stderr marked, ANSI colours rendered, following the tail while scrolled to the bottom. */
export function CommandOutput({ lines, cutBytes, running }: { lines: OutputLine[]; cutBytes?: number; running: boolean }) {
  const rendered = useMemo(() => {
    const shown = lines.slice(-SHOWN);
    const carry: Record<string, AnsiStyle> = {};
    return shown.map((l): ReactNode => {
      const r = renderAnsi(l.text, carry[l.stream]);
      carry[l.stream] = r.style;
      return (
        <div key={l.key} className={`log-line ${l.stream}`} data-testid="run-output-line" data-stream={l.stream}>
          {l.stream === "stderr" && (
            <span className="stream-mark" title="standard error">
              err{" "}
            </span>
          )}
          {r.nodes.length ? r.nodes : " "}
        </div>
      );
    });
  }, [lines]);
  return (
    <FollowPane follow={lines} lineCount={lines.length} testId="run-output">
      {!!cutBytes && (
        <div className="log-line info" data-testid="run-output-cut">
          … {formatAmount(cutBytes, "bytes")} of earlier output not kept (only the last 10 MB are) …
        </div>
      )}
      {lines.length > SHOWN && <div className="log-line info">… {lines.length - SHOWN} earlier lines not shown here …</div>}
      {rendered}
      {lines.length === 0 && <span className="muted">{running ? "(waiting for output)" : "(no output)"}</span>}
    </FollowPane>
  );
}
