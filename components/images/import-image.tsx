"use client";
import { useState } from "react";
import { useImageCommands } from "../hooks/use-images";
import { JobProgress } from "../job-progress";

/** Admins: import a bundle (.tgz with manifest.xml) from a server path or by upload; runs as a job. */
export function ImportImage() {
  const cmd = useImageCommands();
  const [path, setPath] = useState("");
  const [profile, setProfile] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function start(kind: "path" | "upload") {
    setError(null);
    setJobId(null);
    try {
      if (kind === "path") {
        const r = await cmd.importFromPath({ path, ...(profile ? { profile } : {}) });
        setJobId(r.jobId ?? null);
      } else if (file) {
        const r = await cmd.importUpload(file, profile || undefined);
        setJobId(r.jobId ?? null);
      }
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <div className="card" data-testid="import-image">
      <h2>Import a bundle</h2>
      <p className="muted small">An xCAT image bundle (imgexport's .tgz with manifest.xml).</p>
      <label className="small">
        Path on the server{" "}
        <input value={path} onChange={(e) => setPath(e.target.value)} placeholder="/root/export/image.tgz" data-testid="import-path" />
      </label>
      <label className="small">
        {" "}
        or upload{" "}
        <input type="file" accept=".tgz,.tar.gz" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="import-file" />
      </label>
      <label className="small">
        {" "}
        New profile (optional, like imgimport -f){" "}
        <input value={profile} onChange={(e) => setProfile(e.target.value)} data-testid="import-profile" />
      </label>
      <div className="toolbar">
        <button type="button" disabled={!path} onClick={() => start("path")} data-testid="import-path-submit">
          Import from path
        </button>
        <button type="button" disabled={!file} onClick={() => start("upload")} data-testid="import-upload-submit">
          Upload and import
        </button>
      </div>
      {error && (
        <div className="error" data-testid="import-error">
          {error}
        </div>
      )}
      {jobId && <JobProgress jobId={jobId} />}
    </div>
  );
}
