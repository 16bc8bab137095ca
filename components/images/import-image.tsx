"use client";
import { useState } from "react";
import { ApiError, api } from "../api-client";
import { JobProgress } from "../job-progress";

/** Admins: import a bundle (.tgz with manifest.xml) from a server path or by upload; runs as a job. */
export function ImportImage({ onImported }: { onImported: () => void }) {
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
        const r = await api<{ jobId: string }>("/api/images/import", { method: "POST", body: { path, ...(profile ? { profile } : {}) } });
        setJobId(r.jobId);
      } else if (file) {
        const res = await fetch(`/api/images/upload${profile ? `?profile=${encodeURIComponent(profile)}` : ""}`, { method: "PUT", body: file, headers: { "content-type": "application/gzip" } });
        const data = await res.json();
        if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? "error", data?.error?.message ?? res.statusText);
        setJobId(data.jobId);
      }
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <div className="card" data-testid="import-image">
      <h2>Import a bundle</h2>
      <p className="muted small">An xCAT image bundle (imgexport's .tgz with manifest.xml).</p>
      <label className="small">Path on the server <input value={path} onChange={(e) => setPath(e.target.value)} placeholder="/root/export/image.tgz" data-testid="import-path" /></label>
      <label className="small"> or upload <input type="file" accept=".tgz,.tar.gz" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="import-file" /></label>
      <label className="small"> New profile (optional, like imgimport -f) <input value={profile} onChange={(e) => setProfile(e.target.value)} data-testid="import-profile" /></label>
      <div className="toolbar">
        <button type="button" disabled={!path} onClick={() => start("path")} data-testid="import-path-submit">Import from path</button>
        <button type="button" disabled={!file} onClick={() => start("upload")} data-testid="import-upload-submit">Upload and import</button>
      </div>
      {error && <div className="error" data-testid="import-error">{error}</div>}
      {jobId && <JobProgress jobId={jobId} onFinished={onImported} />}
    </div>
  );
}
