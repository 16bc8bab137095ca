"use client";
import dynamic from "next/dynamic";
import { useState } from "react";
import type { useOpenFiles } from "../hooks/use-open-files";
import { VisibleName, visibleName } from "../visible-name";
import { BinaryView } from "./binary-view";
import { ConflictDialog } from "./conflict-dialog";
import { EditorTabs } from "./editor-tabs";
import styles from "./files.module.css";
import { NamePrompt } from "./name-prompt";

const CodeEditor = dynamic(() => import("./code-editor"), { ssr: false, loading: () => <p className="muted">Loading editor…</p> });

type Files = Omit<ReturnType<typeof useOpenFiles>, "saveAs"> & { saveAs: (path: string, to: string) => Promise<unknown> };

/** Tabs, the active file (editor, binary view or error), its status line and the conflict dialog. */
export function EditorPane(p: {
  files: Files;
  canEdit: boolean;
  othersOpen: Map<string, string[]>;
  downloadUrl: (path: string) => string;
}) {
  const { files } = p;
  const tab = files.tabs.find((t) => t.path === files.active);
  const [savingAs, setSavingAs] = useState<string | null>(null);
  return (
    <div className={styles.editorPane}>
      <EditorTabs tabs={files.tabs} active={files.active} othersOpen={p.othersOpen} onActivate={files.setActive} onClose={files.close} />
      {!tab && (
        <p className="muted" style={{ padding: 12 }}>
          Open a file from the tree.
        </p>
      )}
      {tab?.error && (
        <p className="error" data-testid="editor-error">
          {tab.error}
        </p>
      )}
      {tab && !tab.data && !tab.error && (
        <p className="muted" style={{ padding: 12 }}>
          Loading {tab.path}…
        </p>
      )}
      {tab?.data && (tab.data.encoding === "binary" || tab.data.tooLarge) && (
        <BinaryView file={tab.data} downloadUrl={p.downloadUrl(tab.path)} />
      )}
      {tab?.data && tab.data.encoding !== "binary" && !tab.data.tooLarge && (
        <>
          {tab.deletedBy && (
            <div className={styles.banner} data-testid="deleted-on-disk">
              {tab.deletedBy} deleted this file. Your text is kept here:{" "}
              {p.canEdit ? "save it as a new file (the same path recreates it, owned like its directory) or " : ""}close the tab to discard
              it.
              {p.canEdit && savingAs !== tab.path && (
                <>
                  {" "}
                  <button type="button" onClick={() => setSavingAs(tab.path)} data-testid="save-as-file">
                    Save as…
                  </button>
                </>
              )}
              {savingAs === tab.path && (
                <NamePrompt
                  label="Save the text as"
                  initial={tab.path}
                  onCancel={() => setSavingAs(null)}
                  onOk={(to) => {
                    setSavingAs(null);
                    void files.saveAs(tab.path, to);
                  }}
                />
              )}
            </div>
          )}
          {tab.notice && !tab.deletedBy && (
            <div className={styles.banner} data-testid="file-notice">
              {tab.notice}{" "}
              <button type="button" onClick={() => files.patch(tab.path, { notice: undefined })}>
                OK
              </button>
            </div>
          )}
          {tab.changedBy && (
            <div className={styles.banner} data-testid="changed-on-disk">
              {tab.changedBy} saved this file after you opened it.{" "}
              <button type="button" onClick={() => files.reload(tab.path)} data-testid="reload-file">
                Reload
              </button>
              {tab.modified && <span className="muted small"> (or save to compare and merge)</span>}
            </div>
          )}
          <div className={styles.statusBar} data-testid="editor-status">
            <span className="mono" title={visibleName(tab.data.entry.path)}>
              <VisibleName name={tab.data.entry.path} />
            </span>
            <span className="badge">{tab.data.language}</span>
            <span className="badge" data-testid="file-encoding">
              {tab.data.encoding}
            </span>
            <span className="badge">
              {tab.data.lineEnding.toUpperCase()}
              {tab.data.finalNewline ? "" : ", no final newline"}
            </span>
            {tab.data.lineEnding === "mixed" && <span className={styles.warnText}>mixed line endings: unchanged lines keep theirs</span>}
            <span className="spacer" />
            {tab.message && (
              <span className="small" data-testid="save-message">
                {tab.message}
              </span>
            )}
            {p.canEdit ? (
              <button
                type="button"
                data-testid="save-file"
                disabled={!tab.modified || tab.saving || !!tab.deletedBy}
                onClick={() => files.save(tab.path)}
              >
                {tab.saving ? "Saving…" : "Save"}
              </button>
            ) : (
              <span className="muted small" data-testid="read-only">
                read-only (viewer)
              </span>
            )}
          </div>
          <div className={styles.editorBox} data-testid="code-editor">
            <CodeEditor
              path={tab.path}
              defaultValue={tab.data.content ?? ""}
              language={tab.data.language}
              readOnly={!p.canEdit}
              onChange={(v) => files.change(tab.path, v)}
              onSave={() => (tab.deletedBy ? setSavingAs(tab.path) : files.save(files.active ?? tab.path))}
            />
          </div>
          {tab.conflict && (
            <ConflictDialog
              path={tab.path}
              conflict={tab.conflict}
              language={tab.data.language}
              onSaveMerged={(text, etag) => files.save(tab.path, text, etag)}
              onReload={() => files.reload(tab.path)}
              onCancel={() => files.patch(tab.path, { conflict: undefined })}
            />
          )}
        </>
      )}
    </div>
  );
}
