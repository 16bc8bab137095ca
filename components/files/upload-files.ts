"use client";
import { type ApiError, apiErrorOf } from "../api-client";

/**
 * Uploads one file with XMLHttpRequest (fetch has no upload progress). Resolves with the server's error
 * (parsed like every other API error) or null when it was stored.
 */
export function uploadWithProgress(o: {
  url: string;
  file: File;
  onProgress: (done: number, total: number) => void;
}): Promise<{ error: ApiError | null }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", o.url);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.upload.onprogress = (e) => o.onProgress(e.loaded, e.total || o.file.size);
    xhr.onload = () => {
      if (xhr.status < 300) return resolve({ error: null });
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // non-JSON error page: the status says enough
      }
      resolve({ error: apiErrorOf(xhr.status, xhr.statusText, body) });
    };
    xhr.onerror = () => reject(new Error(`Upload of ${o.file.name} failed (network error).`));
    xhr.send(o.file);
  });
}
