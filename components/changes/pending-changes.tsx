"use client";
import Link from "next/link";
import { useState } from "react";
import { roleAtLeast, useCurrentUser } from "../current-user";
import { formatTime } from "../format";
import { type ImageChangesView as ImageChanges, useChanges } from "../hooks/use-changes";
import { useRevert } from "../hooks/use-review";
import { ChangeDiffPanel } from "../review/change-diff-view";
import { VisibleName } from "../visible-name";
import { PackAdditions } from "./pack-additions";

const KIND_LABEL: Record<string, string> = {
  added: "added",
  removed: "removed",
  modified: "content changed",
  metadata: "metadata changed",
  type: "type changed",
  recorded: "edited (not compared)",
};

/** Pending changes of every unpacked image (or one, `image`): what a pack would publish, and who made it. */
export function PendingChanges({ image }: { image?: string }) {
  const q = useChanges(image);
  return (
    <section>
      <div className="toolbar">
        <h1>Changes{image ? ` of ${image}` : ""}</h1>
        <span className="spacer" />
        <button type="button" onClick={() => void q.refetch()} disabled={q.isFetching} data-testid="changes-refresh">
          {q.isFetching ? "Comparing…" : "Refresh"}
        </button>
      </div>
      <p className="muted small">
        Each unpacked image compared with its pristine state (the archive last published, or the one it was unpacked from): files added,
        removed, or changed in content or metadata — whether through this dashboard, a chroot command or by hand — with who edited them
        here.
      </p>
      {q.error && <p className="error">{(q.error as Error).message}</p>}
      {q.data && q.data.images.length === 0 && (
        <p className="muted" data-testid="changes-none">
          No image is unpacked: nothing is pending.
        </p>
      )}
      {q.data?.images.map((im) => (
        <ImageChangesTable key={im.image} im={im} />
      ))}
    </section>
  );
}

function ImageChangesTable({ im }: { im: ImageChanges }) {
  const canEdit = roleAtLeast(useCurrentUser(), "editor");
  const [open, setOpen] = useState<string | undefined>();
  const revert = useRevert(im.image);
  const filesHref = (p?: string) => `/images/${encodeURIComponent(im.image)}/files${p ? `?path=${encodeURI(p)}` : ""}`;
  return (
    <div data-testid="changes-image" data-image={im.image} style={{ marginBottom: 18 }}>
      <h2>
        <Link href={`/images/${encodeURIComponent(im.image)}`}>{im.image}</Link> <span className="badge">{im.state}</span>{" "}
        <span className="muted small" data-testid="changes-count">
          {im.changes.length === 0 ? "no pending changes" : `${im.changes.length} pending change${im.changes.length === 1 ? "" : "s"}`}
        </span>
      </h2>
      <p className="muted small">
        unpacked {formatTime(im.unpackedAt)}
        {im.unpackedBy ? ` by ${im.unpackedBy}` : ""} · <Link href={filesHref()}>open files</Link>
        {im.changes.length > 0 && canEdit && (
          <>
            {" "}
            ·{" "}
            <Link href={`/requests/new?image=${encodeURIComponent(im.image)}`} data-testid="changes-new-request">
              submit as a change request
            </Link>
          </>
        )}
      </p>
      <PackAdditions image={im.image} />
      {im.error && (
        <p className="error" data-testid="changes-error">
          {im.error}
        </p>
      )}
      {canEdit && im.compared && im.changes.length > 0 && (
        <div className="toolbar">
          <button
            type="button"
            className="danger small"
            data-testid="revert-all"
            disabled={revert.all.isPending}
            onClick={() => {
              if (
                window.confirm(
                  `Revert all ${im.changes.length} pending changes of ${im.image}? Every file goes back to its pristine content and metadata; added files are deleted.`,
                )
              )
                revert.all.mutate();
            }}
          >
            {revert.all.isPending ? "Reverting…" : "Revert all changes"}
          </button>
          {revert.all.error && <span className="error">{(revert.all.error as Error).message}</span>}
        </div>
      )}
      {im.changes.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th></th>
              <th>Path</th>
              <th>Change</th>
              <th>Edited here by</th>
              <th>Last edit</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {im.changes.map((c) => [
              <tr key={c.path} data-testid="change-row" data-path={c.path} data-kind={c.kind}>
                <td className="mono" title={KIND_LABEL[c.kind]}>
                  {c.letter}
                </td>
                <td className="mono">
                  {c.kind === "removed" ? (
                    <VisibleName name={c.path} />
                  ) : (
                    <Link href={filesHref(c.path)}>
                      <VisibleName name={c.path} />
                    </Link>
                  )}
                </td>
                <td>
                  {KIND_LABEL[c.kind]}
                  {c.fields?.length ? `: ${c.fields.join(", ")}` : ""}
                  {c.privileged?.length ? (
                    <>
                      {" "}
                      <strong className="error" data-testid="change-privileged" title="grants root on the nodes: review with care">
                        {c.privileged.join(", ")}
                      </strong>
                    </>
                  ) : null}
                </td>
                <td>
                  {c.by.length ? c.by.join(", ") : <span className="muted">outside the editor</span>}
                  {c.commands.map((cmd) => (
                    <div key={cmd.id} className="small" data-testid="change-command" data-command-id={cmd.id}>
                      {cmd.kind === "shell" ? "shell session" : "command"}{" "}
                      <Link href={`/images/${encodeURIComponent(im.image)}/commands?run=${encodeURIComponent(cmd.id)}`} className="mono">
                        {cmd.line}
                      </Link>{" "}
                      by {cmd.by}
                      {cmd.exitCode !== null ? ` (exit ${cmd.exitCode})` : ""}
                    </div>
                  ))}
                </td>
                <td className="nowrap">{c.lastAt ? formatTime(c.lastAt) : "–"}</td>
                <td>
                  {im.compared && (
                    <button
                      type="button"
                      className="small"
                      data-testid="change-open"
                      onClick={() => setOpen(open === c.path ? undefined : c.path)}
                    >
                      {open === c.path ? "Hide diff" : "Diff"}
                    </button>
                  )}
                </td>
              </tr>,
              open === c.path ? (
                <tr key={`${c.path}-diff`} data-testid="change-diff-row">
                  <td colSpan={6}>
                    <ChangeDiffPanel image={im.image} path={c.path} canEdit={canEdit} />
                  </td>
                </tr>
              ) : null,
            ])}
          </tbody>
        </table>
      )}
    </div>
  );
}
