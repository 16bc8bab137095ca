"use client";
import { useRef, useState } from "react";
import { isDirLike } from "../hooks/use-file-tree";
import { visibleName } from "../visible-name";
import { baseName, type FileEntryDto, type FilesApi, joinPath, parentOf } from "./files-api";
import { NamePrompt } from "./name-prompt";

type Mode = null | "file" | "dir" | "symlink" | "rename";

/** Toolbar for the selected entry: create (in the selected directory), rename, delete, upload, download. */
export function FileActions(p: {
  fa: FilesApi;
  selected: FileEntryDto | null;
  canEdit: boolean;
  onChanged: (paths: string[], select?: string) => void;
  /** a rename/move or delete done here succeeded: open tabs follow it */
  onMoved?: (from: string, to: string | null) => void;
  onUpload: (dir: string, files: FileList) => void;
  onError: (msg: string | null) => void;
}) {
  const [mode, setMode] = useState<Mode>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const sel = p.selected;
  const dir = sel ? (isDirLike(sel) ? sel.path : parentOf(sel.path)) : "/";
  const run = async (fn: () => Promise<unknown>, paths: string[], select?: string, after?: () => void) => {
    try {
      await fn();
      after?.();
      p.onError(null);
      p.onChanged(paths, select);
    } catch (e) {
      p.onError((e as Error).message);
    }
    setMode(null);
  };
  const ok = (value: string, target?: string) => {
    if (mode === "rename" && sel) {
      const to = value.startsWith("/") ? value : joinPath(parentOf(sel.path), value);
      return run(
        () => p.fa.rename(sel.path, to),
        [sel.path, to],
        to,
        () => p.onMoved?.(sel.path, to),
      );
    }
    if (mode === "file" || mode === "dir" || mode === "symlink") {
      const path = value.startsWith("/") ? value : joinPath(dir, value);
      return run(() => p.fa.create({ path, type: mode, target }), [path], path);
    }
  };
  const del = () => {
    if (!sel) return;
    const what = sel.type === "dir" ? `the directory ${sel.path} and everything in it` : sel.path;
    if (window.confirm(`Delete ${visibleName(what)}?`))
      void run(
        () => p.fa.remove(sel.path),
        [sel.path],
        undefined,
        () => p.onMoved?.(sel.path, null),
      );
  };
  return (
    <div className="toolbar" data-testid="file-actions">
      {p.canEdit && (
        <>
          <button type="button" onClick={() => setMode("file")} data-testid="new-file">
            New file
          </button>
          <button type="button" onClick={() => setMode("dir")} data-testid="new-dir">
            New folder
          </button>
          <button type="button" onClick={() => setMode("symlink")} data-testid="new-symlink">
            New link
          </button>
          <button type="button" disabled={!sel} onClick={() => setMode("rename")} data-testid="rename">
            Rename/move
          </button>
          <button type="button" disabled={!sel} onClick={del} data-testid="delete">
            Delete
          </button>
          <button type="button" onClick={() => fileInput.current?.click()} data-testid="upload">
            Upload…
          </button>
          <input
            ref={fileInput}
            type="file"
            multiple
            hidden
            data-testid="upload-input"
            onChange={(e) => {
              if (e.target.files?.length) p.onUpload(dir, e.target.files);
              e.target.value = "";
            }}
          />
        </>
      )}
      {sel && (
        <a href={p.fa.downloadUrl(sel.path)} download data-testid="download">
          Download{isDirLike(sel) ? " (.tar)" : ""}
        </a>
      )}
      {mode && (
        <NamePrompt
          key={mode}
          label={mode === "rename" ? `Rename ${sel ? baseName(sel.path) : ""} to` : `New ${mode === "dir" ? "folder" : mode} in ${dir}:`}
          initial={mode === "rename" && sel ? baseName(sel.path) : ""}
          withTarget={mode === "symlink"}
          onOk={(v, t) => void ok(v, t)}
          onCancel={() => setMode(null)}
        />
      )}
    </div>
  );
}
