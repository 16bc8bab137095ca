"use client";
import Link from "next/link";
import { useState } from "react";
import type { ImageDetailDto } from "@/lib/api/contracts/images";
import { roleAtLeast, useCurrentUser } from "../current-user";
import { formatAmount, formatTime } from "../format";
import { useImageCommands, useVersions } from "../hooks/use-images";
import { busyReason, GateRefusal } from "./gate-holder";

/** Published archives, newest first; editors republish an earlier one (confirmed, audited). */
export function ImageVersions({ image, onChanged }: { image: ImageDetailDto; onChanged: () => void }) {
  const user = useCurrentUser();
  const cmd = useImageCommands();
  const { data: versions = image.versions } = useVersions(image.imagename);
  const [confirm, setConfirm] = useState<number | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const held = busyReason(image.busy);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<number | null>(null);
  async function rollback(seq: number) {
    setBusy(true);
    setError(null);
    try {
      await cmd.rollback(image.imagename, seq);
      setConfirm(null);
      setDone(seq);
      onChanged();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="card" style={{ marginTop: 12 }}>
      <h2>Versions of the packed archive</h2>
      {error && <GateRefusal error={error} testId="rollback-error" />}
      {done !== null && (
        <div className="notice" data-testid="rollback-done">
          Version {done} is live again: nodes get it at their next boot.
          {image.treeExists &&
            " The workspace (rootimg/) still holds the tree you were editing; unpack with “replace” to edit the republished version."}
        </div>
      )}
      <table className="table" data-testid="image-versions">
        <thead>
          <tr>
            <th>#</th>
            <th>Packed</th>
            <th>By</th>
            <th>Format</th>
            <th>Size</th>
            <th>Stamp (IMAGEUUID)</th>
            <th>Note</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {versions.map((v, i) => (
            <tr key={v.seq} data-testid="version-row" data-seq={v.seq} data-live={v.live}>
              <td>
                {v.seq}
                {v.live && (
                  <span className="badge state-succeeded" data-testid="version-live">
                    {" "}
                    live
                  </span>
                )}
              </td>
              <td>{formatTime(v.packedAt)}</td>
              <td>{v.packedBy}</td>
              <td>{v.format}</td>
              <td>{formatAmount(v.size, "bytes")}</td>
              <td className="mono small">{v.stampUuid ?? "–"}</td>
              <td className="small">
                {v.note ?? ""}
                {v.changeId && (
                  <>
                    {v.note ? " · " : ""}from{" "}
                    <Link href={`/requests/${v.changeId}`} data-testid="version-request">
                      change request #{v.changeId}
                    </Link>
                  </>
                )}
              </td>
              <td className="nowrap">
                {versions[i + 1] && (
                  <>
                    <Link
                      className="small"
                      href={`/images/${encodeURIComponent(image.imagename)}/compare?from=${versions[i + 1].seq}&to=${v.seq}`}
                      data-testid="version-compare-link"
                    >
                      Compare with #{versions[i + 1].seq}
                    </Link>{" "}
                  </>
                )}
                {roleAtLeast(user, "editor") && (
                  <>
                    <Link
                      className="small"
                      href={`/nodes?image=${encodeURIComponent(image.imagename)}&version=${v.seq}`}
                      data-testid="version-deploy"
                    >
                      Deploy…
                    </Link>{" "}
                  </>
                )}
                {!v.live &&
                  roleAtLeast(user, "editor") &&
                  (confirm === v.seq ? (
                    <>
                      <button
                        type="button"
                        className="danger small"
                        disabled={busy || !!held}
                        title={held || undefined}
                        onClick={() => rollback(v.seq)}
                        data-testid="rollback-confirm"
                      >
                        Republish #{v.seq}
                      </button>{" "}
                      <button type="button" className="small" onClick={() => setConfirm(null)}>
                        Keep current
                      </button>
                    </>
                  ) : (
                    <button
                      type="button"
                      className="small"
                      disabled={!!held}
                      title={held || undefined}
                      onClick={() => setConfirm(v.seq)}
                      data-testid="rollback"
                    >
                      Roll back to this
                    </button>
                  ))}
              </td>
            </tr>
          ))}
          {versions.length === 0 && (
            <tr>
              <td colSpan={8} className="muted">
                No versions recorded yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
