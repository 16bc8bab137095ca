"use client";
import { useState } from "react";
import type { RequestItemDto } from "@/lib/api/contracts/requests";
import type { Wire } from "@/lib/realtime/events";
import { roleAtLeast, useCurrentUser } from "../current-user";
import { formatAmount } from "../format";
import { type RequestCommentView, type RequestDetailView, useRequestCommands, useRequestContent } from "../hooks/use-requests";
import { VisibleName } from "../visible-name";
import { TextDiff } from "./review-diff";

type Item = Wire<RequestItemDto>;
type Side = Item["before"];

const KIND: Record<string, string> = {
  added: "added",
  removed: "removed",
  modified: "content changed",
  metadata: "metadata changed",
  type: "type changed",
  recorded: "edited",
};
const LANG: [RegExp, string][] = [
  [/\.(sh|bash)$|\/profile$|\.bashrc$/, "shell"],
  [/\.json$/, "json"],
  [/\.ya?ml$/, "yaml"],
  [/\.py$/, "python"],
  [/\.xml$/, "xml"],
  [/\.(ini|cfg|conf)$/, "ini"],
  [/\.(js|mjs)$/, "javascript"],
  [/\.md$/, "markdown"],
];
const languageOf = (p: string) => LANG.find(([re]) => re.test(p))?.[1] ?? "plaintext";

function describe(s: Side): string {
  if (!s) return "—";
  const parts = [s.type, (s.mode & 0o7777).toString(8).padStart(4, "0"), `${s.owner ?? s.uid}:${s.group ?? s.gid}`];
  if (s.type === "file") parts.push(formatAmount(s.size, "bytes"), s.sha256 ? `sha256 ${s.sha256.slice(0, 12)}…` : "");
  if (s.linkTarget !== undefined) parts.push(`→ ${s.linkTarget}`);
  return parts.filter(Boolean).join(" · ");
}

/** One captured path: kind, both sides' metadata, the text diff (comment on a line by clicking its number), file comments. */
export function RequestItem({
  r,
  item,
  revision,
  comments,
}: {
  r: RequestDetailView;
  item: Item;
  revision: number;
  comments: RequestCommentView[];
}) {
  const me = useCurrentUser();
  const cmd = useRequestCommands();
  // a metadata-only change has the same text on both sides: its diff opens on demand
  const [open, setOpen] = useState(item.text && item.kind !== "metadata");
  const [sideBySide, setSideBySide] = useState(true);
  const [line, setLine] = useState<number | null>(null);
  const [fileComment, setFileComment] = useState(false);
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);
  const content = useRequestContent(r.id, revision, item.path, open && item.text);
  const canComment = roleAtLeast(me, "editor") && r.state !== "abandoned";
  const markers = [...new Set(comments.filter((c) => c.line !== null).map((c) => c.line as number))];
  async function send() {
    try {
      await cmd.comment(r.id, { body, path: item.path, revision, ...(line ? { line } : {}) });
      setBody("");
      setLine(null);
      setFileComment(false);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <div className="card" style={{ marginTop: 8 }} data-testid="request-item" data-path={item.path} data-kind={item.kind}>
      <div className="toolbar">
        <b className="mono">
          <VisibleName name={item.path} />
        </b>
        <span className="badge">
          {KIND[item.kind] ?? item.kind}
          {item.fields.length ? `: ${item.fields.join(", ")}` : ""}
        </span>
        {item.changedSince && (
          <span
            className="badge state-cancelled"
            data-testid="item-changed-since"
            title="The tree no longer holds what was captured: update the request to include it"
          >
            changed since submitted
          </span>
        )}
        <span className="spacer" />
        {item.text && (
          <button type="button" className="small" onClick={() => setOpen(!open)} data-testid="item-toggle-diff">
            {open ? "Hide diff" : "Show diff"}
          </button>
        )}
        {item.text && open && (
          <label className="small">
            <input type="checkbox" checked={sideBySide} onChange={(e) => setSideBySide(e.target.checked)} /> side by side
          </label>
        )}
        {canComment && (
          <button
            type="button"
            className="small"
            onClick={() => {
              setFileComment(true);
              setLine(null);
            }}
            data-testid="item-comment-file"
          >
            Comment on file
          </button>
        )}
      </div>
      <table className="table small" data-testid="item-meta">
        <tbody>
          <tr>
            <th style={{ width: 70 }}>before</th>
            <td className="mono" data-testid="item-before">
              {describe(item.before)}
            </td>
          </tr>
          <tr>
            <th>after</th>
            <td className="mono" data-testid="item-after">
              {describe(item.after)}
            </td>
          </tr>
        </tbody>
      </table>
      {item.source && (item.source.by.length > 0 || item.source.commands.length > 0) && (
        <p className="small muted">
          {item.source.by.length ? `edited by ${item.source.by.join(", ")}` : "changed outside the editor"}
          {item.source.commands.map((c) => (
            <span key={c.id}>
              {" "}
              · command <span className="mono">{c.line}</span> by {c.by}
            </span>
          ))}
        </p>
      )}
      {!item.text && item.after?.type === "file" && item.kind !== "metadata" && (
        <p className="muted small" data-testid="item-no-text">
          No text diff (binary, over 1 MiB, or the original bytes were not kept): compared by size and hash.
        </p>
      )}
      {open && item.text && content.error && <p className="error">{(content.error as Error).message}</p>}
      {open && item.text && content.data && (
        <>
          {canComment && <p className="muted small">Click a line number on the right side to comment on that line.</p>}
          <TextDiff
            original={content.data.before}
            modified={content.data.after}
            language={languageOf(item.path)}
            sideBySide={sideBySide}
            lineMarkers={markers}
            onLineAction={
              canComment
                ? (l) => {
                    setLine(l);
                    setFileComment(true);
                  }
                : undefined
            }
          />
        </>
      )}
      {comments.map((c) => (
        <div
          key={c.id}
          className="small"
          data-testid="item-comment"
          data-line={c.line ?? ""}
          style={{ borderTop: "1px solid #eceef2", padding: "4px 0" }}
        >
          <b>{c.authorName}</b>
          {c.line ? ` on line ${c.line}` : " on the file"}: <span style={{ whiteSpace: "pre-wrap" }}>{c.body}</span>
        </div>
      ))}
      {fileComment && canComment && (
        <div data-testid="item-comment-form" data-line={line ?? ""}>
          <p className="small">
            {line ? `Comment on line ${line}` : "Comment on the file"} (revision {revision})
          </p>
          <textarea
            value={body}
            onChange={(e) => setBody(e.target.value)}
            rows={2}
            style={{ width: "100%" }}
            data-testid="item-comment-body"
          />
          {error && <div className="error">{error}</div>}
          <button type="button" disabled={!body.trim()} onClick={send} data-testid="item-comment-send">
            Comment
          </button>{" "}
          <button
            type="button"
            className="link small"
            onClick={() => {
              setFileComment(false);
              setLine(null);
            }}
          >
            cancel
          </button>
        </div>
      )}
    </div>
  );
}
