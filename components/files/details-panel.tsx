"use client";
import { useEffect, useRef, useState } from "react";
import { VisibleName } from "../visible-name";
import styles from "./files.module.css";
import { type FileEntryDto, formatSize } from "./files-api";

const SPECIAL = [
  [0o4000, "setuid"],
  [0o2000, "setgid"],
  [0o1000, "sticky"],
] as const;

/** Type, mode (symbolic, octal, special bits), owner and group by the image's names, size, mtime, link, links. */
export function DetailsPanel(p: {
  entry: FileEntryDto | null;
  canEdit: boolean;
  onApply: (c: { mode?: string; owner?: string; group?: string }) => Promise<void>;
}) {
  const e = p.entry;
  const [mode, setMode] = useState("");
  const [owner, setOwner] = useState("");
  const [group, setGroup] = useState("");
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<string | null>(null);
  // The entry is re-read after every change (ours, or another user's through presence), and such a refresh can land
  // while the admin is typing: a field follows the file only while it still shows the last synced value, so a
  // refresh never overwrites an edit in progress. Another entry resets every field.
  const synced = useRef<{ path?: string; mode: string; owner: string; group: string }>({ mode: "", owner: "", group: "" });
  useEffect(() => {
    const next = {
      path: e?.path,
      mode: e?.octal ?? "",
      owner: e ? (e.user ?? String(e.uid)) : "",
      group: e ? (e.group ?? String(e.gid)) : "",
    };
    const prev = synced.current;
    const other = prev.path !== next.path;
    setMode((cur) => (other || cur === prev.mode ? next.mode : cur));
    setOwner((cur) => (other || cur === prev.owner ? next.owner : cur));
    setGroup((cur) => (other || cur === prev.group ? next.group : cur));
    if (other) setMsg(null);
    synced.current = next;
  }, [e]);
  if (!e)
    return (
      <div className={styles.details} data-testid="details-panel">
        <p className="muted small">Select an entry to see its details.</p>
      </div>
    );
  const special = SPECIAL.filter(([bit]) => e.mode & bit).map(([, n]) => n);
  const apply = async () => {
    const change: { mode?: string; owner?: string; group?: string } = {};
    if (mode !== e.octal && e.type !== "symlink") change.mode = mode;
    if (owner !== (e.user ?? String(e.uid))) change.owner = owner;
    if (group !== (e.group ?? String(e.gid))) change.group = group;
    if (Object.keys(change).length === 0) return;
    setBusy(true);
    try {
      await p.onApply(change);
      // What was applied is now the file's state: later refreshes may update these fields again.
      synced.current = { ...synced.current, mode, owner, group };
      setMsg("Applied");
    } catch (err) {
      setMsg((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className={styles.details} data-testid="details-panel">
      <dl className="facts small">
        <dt>Path</dt>
        <dd className="mono" data-testid="details-path">
          <VisibleName name={e.path} />
        </dd>
        <dt>Type</dt>
        <dd data-testid="details-type">
          {e.type}
          {e.targetType ? ` → ${e.targetType}` : ""}
        </dd>
        <dt>Mode</dt>
        <dd className="mono" data-testid="details-mode">
          {e.symbolic} ({e.octal}){special.length ? ` ${special.join(", ")}` : ""}
        </dd>
        <dt>Owner</dt>
        <dd data-testid="details-owner">
          {e.user ?? "?"} ({e.uid})
        </dd>
        <dt>Group</dt>
        <dd data-testid="details-group">
          {e.group ?? "?"} ({e.gid})
        </dd>
        <dt>Size</dt>
        <dd data-testid="details-size">
          {formatSize(e.size)} ({e.size.toLocaleString("en")} bytes)
        </dd>
        <dt>Modified</dt>
        <dd data-testid="details-mtime">{new Date(e.mtime).toLocaleString("en-GB")}</dd>
        <dt>Links</dt>
        <dd data-testid="details-nlink">{e.nlink}</dd>
        {e.type === "symlink" && (
          <>
            <dt>Target</dt>
            <dd className="mono">
              <VisibleName name={e.target ?? ""} />
              {e.dangling ? " (dangling)" : ""}
            </dd>
          </>
        )}
      </dl>
      {p.canEdit && (
        <form
          className={styles.attrForm}
          onSubmit={(ev) => {
            ev.preventDefault();
            void apply();
          }}
        >
          <label>
            Mode{" "}
            <input
              value={mode}
              onChange={(ev) => setMode(ev.target.value)}
              size={5}
              disabled={e.type === "symlink"}
              data-testid="attr-mode"
            />
          </label>
          <label>
            Owner <input value={owner} onChange={(ev) => setOwner(ev.target.value)} size={8} data-testid="attr-owner" />
          </label>
          <label>
            Group <input value={group} onChange={(ev) => setGroup(ev.target.value)} size={8} data-testid="attr-group" />
          </label>
          <button type="submit" disabled={busy} data-testid="attr-apply">
            Apply
          </button>
          {msg && (
            <span className="small" data-testid="attr-message">
              {msg}
            </span>
          )}
        </form>
      )}
    </div>
  );
}
