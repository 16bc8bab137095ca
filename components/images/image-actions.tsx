"use client";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import type { ImageDetailDto } from "@/lib/api/contracts/images";
import { isApiError } from "../api-client";
import { roleAtLeast, useCurrentUser } from "../current-user";
import { useImageCommands } from "../hooks/use-images";
import { busyReason, GateRefusal } from "./gate-holder";

const PACKIMAGE_NOTE =
  "packimage also changes the tree: it replaces xcatpost/, writes opt/xcat/xcatinfo, overwrites root's line in etc/shadow, sets etc/localtime and applies synclists.";

const OWN_PACK_NOTE =
  "Rootimg Studio's pack writes opt/xcat/xcatinfo and applies the exlist, then publishes atomically; unlike packimage it does not refresh xcatpost/, reset root's password in etc/shadow, set etc/localtime or apply synclists.";

/** Unpack / pack buttons (editors), export and delete (admins). Never deletes a tree without an explicit choice. */
export function ImageActions({ image, onJob, onChanged }: { image: ImageDetailDto; onJob: (id: string) => void; onChanged: () => void }) {
  const user = useCurrentUser();
  const router = useRouter();
  const cmd = useImageCommands();
  const name = image.imagename;
  const [error, setError] = useState<Error | null>(null);
  const [treeChoice, setTreeChoice] = useState(false);
  const [confirmReplace, setConfirmReplace] = useState(false);
  const [method, setMethod] = useState<"own" | "xcat">("own");
  const [full, setFull] = useState(false);
  // A request that starts a job is in flight: every job button waits for its answer (the job id), so a
  // double click starts one job, not one job and a "already running" error for the user's own click.
  const [starting, setStarting] = useState(false);
  const inFlight = useRef(false);
  // Someone holds the image (a job, a command, a shell): the buttons that need it alone say so instead of a 409.
  const held = busyReason(image.busy);
  const busy = starting || !!held || image.workspace === "packing" || image.workspace === "unpacking";

  async function run(command: () => Promise<{ jobId?: string }>) {
    if (inFlight.current) return;
    inFlight.current = true;
    setStarting(true);
    setError(null);
    try {
      const r = await command();
      if (r.jobId) onJob(r.jobId);
      setTreeChoice(false);
      onChanged();
    } catch (e) {
      if (isApiError(e, "conflict") && e.details.treeExists === true) setTreeChoice(true);
      setError(e as Error);
      // a refusal means the summary shown is behind: read who holds the image now
      if (isApiError(e, "conflict")) onChanged();
    } finally {
      inFlight.current = false;
      setStarting(false);
    }
  }

  return (
    <div className="card" data-testid="image-actions" style={{ marginBottom: 8 }}>
      <div className="toolbar">
        <button
          type="button"
          disabled={busy || !image.archive}
          title={held || undefined}
          onClick={() => run(() => cmd.unpack(name, { mode: "unpack" }))}
          data-testid="unpack"
        >
          Unpack
        </button>
        <span className="muted small">into {image.rootimgdir}/rootimg</span>
        <span className="spacer" />
        {image.backend === "xcat" && (
          <select value={method} onChange={(e) => setMethod(e.target.value as "own" | "xcat")} data-testid="pack-method">
            <option value="own">Rootimg Studio pack (incremental, atomic)</option>
            <option value="xcat">Pack with xCAT (packimage)</option>
          </select>
        )}
        <label className="small">
          <input type="checkbox" checked={full} onChange={(e) => setFull(e.target.checked)} /> full
        </label>
        <button
          type="button"
          className="primary"
          disabled={busy || !image.treeExists}
          title={held || undefined}
          onClick={() => run(() => cmd.pack(name, { method, full }))}
          data-testid="pack"
        >
          Pack
        </button>
        {roleAtLeast(user, "admin") && (
          <>
            <button
              type="button"
              onClick={() => run(() => cmd.exportBundle(name))}
              disabled={starting || !!held || !image.archive}
              title={held || undefined}
              data-testid="export"
            >
              Export bundle
            </button>
            <a href={cmd.exportDownloadUrl(name)} data-testid="export-download" className="small">
              download last export
            </a>
            {image.backend === "local" && (
              <button
                type="button"
                className="danger"
                data-testid="delete-image"
                disabled={!!held}
                title={held || undefined}
                onClick={async () => {
                  if (!window.confirm(`Delete ${image.imagename} with its directory ${image.rootimgdir}? This cannot be undone.`)) return;
                  try {
                    await cmd.remove(name);
                    router.push("/images");
                  } catch (e) {
                    setError(e as Error);
                  }
                }}
              >
                Delete
              </button>
            )}
          </>
        )}
      </div>
      {method === "xcat" && (
        <p className="muted small" data-testid="packimage-note">
          {PACKIMAGE_NOTE}
        </p>
      )}
      {method === "own" && image.backend === "xcat" && (
        <p className="muted small" data-testid="own-pack-note">
          {OWN_PACK_NOTE}
        </p>
      )}
      {held && (
        <p className="muted small" data-testid="actions-held">
          {held}
        </p>
      )}
      {error && <GateRefusal error={error} testId="image-action-error" />}
      {treeChoice && (
        <div className="notice" data-testid="tree-choice">
          <p>{image.rootimgdir}/rootimg already exists. Choose what to do with it:</p>
          <button type="button" onClick={() => run(() => cmd.unpack(name, { mode: "use-existing" }))} data-testid="use-existing">
            Use the existing tree as the workspace
          </button>{" "}
          <label className="small">
            <input
              type="checkbox"
              checked={confirmReplace}
              onChange={(e) => setConfirmReplace(e.target.checked)}
              data-testid="confirm-replace"
            />{" "}
            I want to delete the existing tree
          </label>{" "}
          <button
            type="button"
            className="danger"
            disabled={!confirmReplace}
            onClick={() => run(() => cmd.unpack(name, { mode: "replace", confirmReplace: true }))}
            data-testid="replace-tree"
          >
            Replace it with the archive
          </button>
        </div>
      )}
    </div>
  );
}
