"use client";
/** Uploads one file with XMLHttpRequest (fetch has no upload progress). Resolves with the status and body. */
export function uploadWithProgress(o: { url: string; file: File; onProgress: (done: number, total: number) => void }): Promise<{ status: number; body: { error?: { message?: string; reason?: string } } & Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", o.url);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.upload.onprogress = (e) => o.onProgress(e.loaded, e.total || o.file.size);
    xhr.onload = () => {
      let body = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // non-JSON error page: the status says enough
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new Error(`Upload of ${o.file.name} failed (network error).`));
    xhr.send(o.file);
  });
}
