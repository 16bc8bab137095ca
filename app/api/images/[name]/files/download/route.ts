import { Readable } from "node:stream";
import { downloadFileRoute } from "@/lib/api/contracts/files";
import { handle } from "@/lib/api/handle";
import { getImageTree } from "@/lib/files/image-tree";
import { downloadEntry } from "@/lib/image/download-entry";
import { resolveInRoot } from "@/lib/image/resolve-in-root";
import { getSecuritySettings } from "@/lib/security/security-settings";
import { mayReadSensitive, sensitiveCheck, sensitiveRefusal, sensitiveUnder } from "@/lib/security/sensitive-files";

// GET /api/images/{name}/files/download – a file, or a directory as a tar archive
// Viewers get no content of sensitive files: refused for a file, left out of a directory's archive.
export const GET = handle(downloadFileRoute, async ({ params, query, user }) => {
  const root = await getImageTree(params.name);
  let excludeUnder: ((dirAt: string, dirPath: string) => string[]) | undefined;
  if (!mayReadSensitive(user)) {
    const check = sensitiveCheck(await getSecuritySettings());
    const r = resolveInRoot(root, query.path, { followFinal: true });
    const st = r.stat;
    r.close();
    if (st?.isFile() && check(r.path, st)) throw sensitiveRefusal(r.path);
    excludeUnder = (dirAt, dirPath) => sensitiveUnder(dirAt, dirPath, check);
  }
  const d = downloadEntry({ root, path: query.path, excludeUnder });
  const headers: Record<string, string> = {
    "content-type": d.kind === "tar" ? "application/x-tar" : "application/octet-stream",
    "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(d.filename)}`,
    "cache-control": "no-store",
    // image files are never rendered by the browser as pages (an .html in the image must not run as our origin)
    "x-content-type-options": "nosniff",
  };
  if (d.size !== undefined) headers["content-length"] = String(d.size);
  return new Response(Readable.toWeb(d.stream) as unknown as ReadableStream, { headers });
});
