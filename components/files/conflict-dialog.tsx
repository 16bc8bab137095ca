"use client";
import dynamic from "next/dynamic";
import { useRef } from "react";
import type { Conflict } from "../hooks/use-open-files";
import styles from "./files.module.css";

const MergeEditor = dynamic(() => import("./code-editor").then((m) => m.MergeEditor), { ssr: false, loading: () => <p>Loading…</p> });

/** The save was refused (409): compare theirs with mine and merge, reload theirs, or go back. */
export function ConflictDialog(p: {
  path: string;
  conflict: Conflict;
  language: string;
  onSaveMerged: (text: string, theirsEtag: string) => void;
  onReload: () => void;
  onCancel: () => void;
}) {
  const getMine = useRef<() => string>(() => p.conflict.mine);
  return (
    <div className={styles.overlay} role="dialog" aria-label="save conflict" data-testid="conflict-dialog">
      <div className={styles.dialogWide}>
        <h2>{p.path} changed on disk since you opened it</h2>
        <p className="muted small">Left: the file as it is now. Right: your version; edit it to merge, then save.</p>
        <div className={styles.mergeBox}>
          <MergeEditor theirs={p.conflict.theirs} mine={p.conflict.mine} language={p.language} onMount={(g) => (getMine.current = g)} />
        </div>
        <div className="toolbar">
          <button type="button" data-testid="conflict-save-merged" onClick={() => p.onSaveMerged(getMine.current(), p.conflict.theirsEtag)}>
            Save my merged version
          </button>
          <button type="button" data-testid="conflict-reload" onClick={p.onReload}>
            Discard mine and reload
          </button>
          <button type="button" data-testid="conflict-cancel" onClick={p.onCancel}>
            Back to editing
          </button>
        </div>
      </div>
    </div>
  );
}
