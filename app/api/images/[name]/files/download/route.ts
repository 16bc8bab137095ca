import { Readable } from "node:stream";
import { downloadFileRoute } from "@/lib/api/contracts/files";
import { handle } from "@/lib/api/handle";
import { getImageTree } from "@/lib/files/image-tree";
import { downloadEntry } from "@/lib/image/download-entry";

// GET /api/images/{name}/files/download – a file, or a directory as a tar archive
export const GET = handle(downloadFileRoute, async ({ params, query }) => {
  const d = downloadEntry({ root: await getImageTree(params.name), path: query.path });
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
