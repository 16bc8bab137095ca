"use client";
import Link from "next/link";
import { isApiError } from "../api-client";
import { formatTime } from "../format";
import { type ChangeDiffView as Diff, useChangeDiff, useRevert } from "../hooks/use-review";
import { ContentDiff } from "./content-diff";

type Side = NonNullable<Diff["before"]>;
const who = (s: Side | null, id: "uid" | "gid") => {
  if (!s) return "";
  const name = id === "uid" ? s.owner : s.group;
  return name ? `${name} (${s[id]})` : String(s[id]);
};
const ROWS: { field: string; label: string; show: (s: Side | null) => string }[] = [
  { field: "type", label: "Type", show: (s) => s?.type ?? "" },
  { field: "mode", label: "Mode", show: (s) => (s ? `${s.octal} ${s.symbolic}` : "") },
  { field: "owner", label: "Owner", show: (s) => who(s, "uid") },
  { field: "group", label: "Group", show: (s) => who(s, "gid") },
  { field: "target", label: "Link target", show: (s) => s?.linkTarget ?? "" },
  { field: "rdev", label: "Device", show: (s) => s?.rdev ?? "" },
  { field: "content", label: "Size", show: (s) => (s && s.type === "file" ? `${s.size.toLocaleString()} bytes` : "") },
  {
    field: "xattrs",
    label: "Extended attributes",
    show: (s) =>
      s?.xattrs
        ? Object.entries(s.xattrs)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ") || "none"
        : "not known",
  },
];

const HOW: Record<string, string> = {
  editor: "saved in the editor",
  upload: "uploaded",
  create: "created",
  rename: "renamed",
  delete: "deleted",
  attributes: "attributes changed",
  revert: "reverted",
};

function Sources({ d, image }: { d: Diff; image: string }) {
  return (
    <ul className="small" data-testid="diff-sources">
      {d.sources.map((s) =>
        s.how === "outside" ? (
          <li key="outside" data-how="outside">
            {s.note}
          </li>
        ) : s.how === "command" || s.how === "shell" ? (
          <li key={`${s.commandId}-${s.at}`} data-how={s.how}>
            {s.how === "shell" ? "shell session" : "command"}{" "}
            <Link className="mono" href={`/images/${encodeURIComponent(image)}/commands?run=${encodeURIComponent(s.commandId)}`}>
              {s.line}
            </Link>{" "}
            by {s.by}
            {s.exitCode !== null ? ` (exit ${s.exitCode})` : ""}, {formatTime(s.at)}
          </li>
        ) : (
          <li key={`${s.how}-${s.by}-${s.at}`} data-how={s.how}>
            {HOW[s.how]} by {s.by}, {formatTime(s.at)}
          </li>
        ),
      )}
    </ul>
  );
}

/** One pending change opened: who and how, metadata before/after, the content diff, and a revert button. */
export function ChangeDiffPanel(props: {
  image: string;
  path: string;
  canEdit: boolean;
  onLineAction?: (line: number) => void;
  lineMarkers?: number[];
}) {
  const q = useChangeDiff(props.image, props.path);
  const revert = useRevert(props.image);
  const d = q.data;
  if (q.error)
    return (
      <p className="error" data-testid="diff-error">
        {(q.error as Error).message}
      </p>
    );
  if (!d) return <p className="muted">Loading the diff…</p>;
  if (d.kind === "unchanged")
    return (
      <p className="muted" data-testid="diff-unchanged">
        {d.path} is as in the published archive: nothing pending.
      </p>
    );
  const metaRows = ROWS.filter(
    (r) => d.fields.includes(r.field as Diff["fields"][number]) || d.kind === "added" || d.kind === "removed" || d.kind === "type",
  ).filter((r) => r.show(d.before) || r.show(d.after));
  return (
    <div className="review-diff" data-testid="change-diff" data-kind={d.kind} data-path={d.path}>
      <Sources d={d} image={props.image} />
      {d.warning && (
        <p className="error" data-testid="diff-warning">
          {d.warning}
        </p>
      )}
      {metaRows.length > 0 && (
        <table className="review-meta" data-testid="meta-diff">
          <thead>
            <tr>
              <th></th>
              <th>Pristine</th>
              <th>Now</th>
            </tr>
          </thead>
          <tbody>
            {metaRows.map((r) => (
              <tr
                key={r.field}
                data-field={r.field}
                className={d.fields.includes(r.field as Diff["fields"][number]) ? "changed" : undefined}
              >
                <th>{r.label}</th>
                <td className="mono" data-testid="meta-before">
                  {d.before ? r.show(d.before) : "–"}
                </td>
                <td className="mono" data-testid="meta-after">
                  {d.after ? r.show(d.after) : "–"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ContentDiff content={d.content} onLineAction={props.onLineAction} lineMarkers={props.lineMarkers} />
      {props.canEdit && (
        <div className="toolbar">
          <button
            type="button"
            data-testid="revert-change"
            disabled={revert.one.isPending}
            onClick={() => {
              if (
                window.confirm(
                  `Revert ${d.path} to its pristine state? ${d.kind === "added" ? "The added entry is deleted." : "Its content and metadata are put back."}`,
                )
              )
                revert.one.mutate(d.path);
            }}
          >
            {revert.one.isPending ? "Reverting…" : "Revert this change"}
          </button>
          {revert.one.error && (
            <span className="error">{isApiError(revert.one.error) ? revert.one.error.message : String(revert.one.error)}</span>
          )}
        </div>
      )}
    </div>
  );
}
