import type { FileContentDto, FileEntryDto } from "@/lib/api/contracts/files";
import type { PresenceUser } from "@/lib/realtime/events";
import { api, qs } from "../api-client";

export type { FileContentDto, FileEntryDto };

/** Browser-side calls to /api/images/{name}/files/*. */
export function filesApi(image: string) {
  const base = `/api/images/${encodeURIComponent(image)}/files`;
  return {
    base,
    /** Entries come without their path (smaller listings): it is the listed directory's canonical path + name. */
    list: async (path: string) => {
      const r = await api<{ path: string; entries: Omit<FileEntryDto, "path">[] }>(`${base}/list${qs({ path })}`);
      return { path: r.path, entries: r.entries.map((e) => ({ ...e, path: joinPath(r.path, e.name) }) as FileEntryDto) };
    },
    stat: (path: string) => api<FileEntryDto>(`${base}/stat${qs({ path })}`),
    read: (path: string) => api<FileContentDto>(`${base}/content${qs({ path })}`),
    /** 409 with `details.etag` when the file changed since `etag`; with `details.reason` when the image gate refuses (a job holds the image, xCAT's lock is taken) */
    save: (o: { path: string; content: string; encoding: "utf-8" | "latin-1"; etag: string }) =>
      api<{ entry: FileEntryDto; etag: string }>(`${base}/content`, {
        method: "PUT",
        headers: { "if-match": `"${o.etag}"` },
        body: { path: o.path, content: o.content, encoding: o.encoding },
      }),
    attributes: (body: { path: string; mode?: string; owner?: string; group?: string }) =>
      api<FileEntryDto>(`${base}/attributes`, { method: "PATCH", body }),
    create: (body: { path: string; type: "file" | "dir" | "symlink"; target?: string }) =>
      api<FileEntryDto>(`${base}/create`, { method: "POST", body }),
    rename: (from: string, to: string) => api<FileEntryDto>(`${base}/rename`, { method: "POST", body: { from, to } }),
    remove: (path: string) => api<{ removed: number }>(`${base}/entry${qs({ path })}`, { method: "DELETE" }),
    search: (q: string) => api<{ hits: { path: string; type: string }[]; truncated: boolean }>(`${base}/search${qs({ q })}`),
    changed: () => api<{ available: boolean; paths: string[] }>(`${base}/changed`),
    presence: (clientId: string, files: string[], socketId?: string) =>
      api<{ users: PresenceUser[] }>(`${base}/presence`, { method: "POST", body: { clientId, files, socketId } }),
    /** sent as a beacon: it is delivered even while the page unloads */
    leavePresence: (clientId: string) => {
      navigator.sendBeacon(
        `${base}/presence`,
        new Blob([JSON.stringify({ clientId, files: [], leave: true })], { type: "application/json" }),
      );
    },
    downloadUrl: (path: string) => `${base}/download${qs({ path })}`,
    uploadUrl: (o: { dir: string; filename: string; onConflict: "fail" | "replace" | "rename" }) => `${base}/upload${qs(o)}`,
  };
}

export type FilesApi = ReturnType<typeof filesApi>;

export function parentOf(p: string): string {
  const i = p.lastIndexOf("/");
  return i <= 0 ? "/" : p.slice(0, i);
}

export function baseName(p: string): string {
  return p === "/" ? "/" : p.slice(p.lastIndexOf("/") + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}

export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  const u = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${u[i]}`;
}
