"use client";
import { useState } from "react";
import styles from "./files.module.css";
import { type FilesApi, formatSize } from "./files-api";
import { uploadWithProgress } from "./upload-files";

export type UploadItem = { file: File; dir: string };
type Row = {
  name: string;
  dir: string;
  done: number;
  total: number;
  state: "uploading" | "done" | "conflict" | "error";
  message?: string;
  file: File;
};

/** Runs uploads one by one with progress; a name that exists asks: replace or keep both. */
export function useUploads(fa: FilesApi, onDone: (dir: string, name: string) => void) {
  const [rows, setRows] = useState<Row[]>([]);
  const set = (name: string, dir: string, p: Partial<Row>) =>
    setRows((rs) => rs.map((r) => (r.name === name && r.dir === dir ? { ...r, ...p } : r)));
  const run = async (file: File, dir: string, onConflict: "fail" | "replace" | "rename") => {
    set(file.name, dir, { state: "uploading", done: 0 });
    try {
      // Ask before sending: a name that exists is found with one small request, not after the whole file
      // went over the wire. (The upload still refuses it with 409 should the name appear in between.)
      if (onConflict === "fail") {
        const target = `${dir.replace(/\/+$/, "")}/${file.name}`;
        const exists = await fa.stat(target).then(
          () => true,
          () => false,
        );
        if (exists) return set(file.name, dir, { state: "conflict", message: `${target} already exists` });
      }
      const url = fa.uploadUrl({ dir, filename: file.name, onConflict });
      const { error } = await uploadWithProgress({ url, file, onProgress: (done, total) => set(file.name, dir, { done, total }) });
      // a 409 for the name offers replace / keep both; a 409 of the image gate (it names a `reason`: a job
      // holds the image, xCAT's lock is taken) is an error to retry later
      if (error?.code === "conflict" && onConflict === "fail" && error.details.reason === undefined)
        return set(file.name, dir, { state: "conflict", message: error.message });
      if (error) return set(file.name, dir, { state: "error", message: error.message });
      set(file.name, dir, { state: "done", done: file.size });
      onDone(dir, file.name);
    } catch (e) {
      set(file.name, dir, { state: "error", message: (e as Error).message });
    }
  };
  const add = async (items: UploadItem[]) => {
    setRows((rs) => [
      ...rs.filter((r) => r.state !== "done"),
      ...items.map((i) => ({ name: i.file.name, dir: i.dir, done: 0, total: i.file.size, state: "uploading" as const, file: i.file })),
    ]);
    for (const i of items) await run(i.file, i.dir, "fail");
  };
  const resolve = (r: Row, how: "replace" | "rename") => void run(r.file, r.dir, how);
  const clear = () => setRows((rs) => rs.filter((r) => r.state === "uploading"));
  return { rows, add, resolve, clear };
}

export function UploadPanel({ up }: { up: ReturnType<typeof useUploads> }) {
  if (up.rows.length === 0) return null;
  return (
    <div className={styles.uploads} data-testid="upload-panel">
      {up.rows.map((r) => (
        <div key={`${r.dir}/${r.name}`} className="small" data-testid="upload-row" data-state={r.state}>
          <span className="mono">
            {r.dir}/{r.name}
          </span>{" "}
          {formatSize(r.done)} / {formatSize(r.total)}
          <progress value={r.done} max={r.total || 1} />
          {r.state === "done" && " ✓"}
          {r.state === "error" && <span className="error">{r.message}</span>}
          {r.state === "conflict" && (
            <span>
              {" "}
              exists:{" "}
              <button type="button" onClick={() => up.resolve(r, "replace")} data-testid="upload-replace">
                Replace
              </button>
              <button type="button" onClick={() => up.resolve(r, "rename")} data-testid="upload-keep-both">
                Keep both
              </button>
            </span>
          )}
        </div>
      ))}
      <button type="button" className="small" onClick={up.clear}>
        Clear
      </button>
    </div>
  );
}
